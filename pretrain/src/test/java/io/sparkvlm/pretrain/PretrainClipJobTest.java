package io.sparkvlm.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.testing.SparkTestSessions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real pretrain clip job in local[2] on a small synthetic world. */
class PretrainClipJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path world;
  static String pairs;
  static int successes;

  @BeforeAll
  static void world() throws Exception {
    spark = SparkTestSessions.local();
    world = WorldPairs.world(spark, dir, 3000);
    pairs = dir.resolve("pairs").toString();
    successes = WorldPairs.pairs(spark, world, pairs);
  }

  /** The nano recipe the tests share: 2 workers x 16 pairs, averaging every 5 steps. */
  static List<String> nano(String output, String... more) {
    List<String> o = new ArrayList<>(List.of("pretrain.clip.input=\"" + pairs + "\"",
        "pretrain.clip.output=\"" + output + "\"", "paths.synth=\"" + world + "\"",
        "pretrain.clip.model=nano", "pretrain.clip.workers=2", "pretrain.clip.batch-size-per-worker=16",
        "pretrain.clip.averaging-frequency=5", "pretrain.clip.log-every-steps=10",
        "pretrain.clip.optimiser.learning-rate=5e-3", "pretrain.clip.optimiser.warmup-steps=10",
        "pretrain.clip.optimiser.weight-decay=0.05", "pretrain.clip.eval.max-images=150"));
    o.addAll(Arrays.asList(more));
    return o;
  }

  static Config config(List<String> overrides) {
    return ConfigLoader.load(new ConfigSources(List.of(), overrides));
  }

  static String run(SparkSession session, List<String> overrides) throws Exception {
    return runJob(session, new PretrainClipJob(), overrides);
  }

  static <C> String runJob(SparkSession session, io.sparkvlm.core.job.StageJob<C> job, List<String> overrides)
      throws Exception {
    Config config = config(overrides);
    return JobLauncher.execute(job, session, config, job.readConfig(new ConfigReader(config))).summary();
  }

  @Test
  void aNanoClipLearnsRetrievalAndZeroShotFarAboveChance() throws Exception {
    String out = dir.resolve("run-learns").toString();
    run(spark, nano(out, "pretrain.clip.epochs=20", "pretrain.clip.checkpoint-every-steps=100",
        "pretrain.clip.eval.every-steps=100"));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<JsonNode> log = MetricsLog.read(out, conf);
    JsonNode last = log.get(log.size() - 1);
    int stepsPerEpoch = successes / 16 / 2;
    assertThat(last.get("step").asInt()).isEqualTo(20 * stepsPerEpoch);
    // contrastive loss starts near ln(batch) = ln 16 and must fall well below it
    assertThat(log.get(0).get("loss").asDouble()).isGreaterThan(2.0);
    assertThat(last.get("loss").asDouble()).isLessThan(0.8 * log.get(0).get("loss").asDouble());
    // held-out test split: 150 images, chance R@5 = 5/150 = 0.033; 8 colours, chance 1/8 (measured here: R@5
    // 0.25 and 0.19, colour 0.31)
    assertThat(last.get("retrieval/image_to_text_R@5").asDouble()).as("image-to-text R@5").isGreaterThan(0.12);
    assertThat(last.get("retrieval/text_to_image_R@5").asDouble()).as("text-to-image R@5").isGreaterThan(0.12);
    assertThat(last.get("zeroshot/colour/acc1").asDouble()).as("zero-shot colour").isGreaterThan(0.2);
    System.out.println("nano clip, final metrics: " + last);

    String newest = Checkpoints.latestComplete(out + "/checkpoints", conf).orElseThrow();
    CheckpointManifest m = Checkpoints.readManifest(newest, conf);
    assertThat(m.step()).isEqualTo(20L * stepsPerEpoch);
    assertThat(m.model()).isEqualTo("clip-nano");
    assertThat(ModelArchitecture.of(m, newest))
        .contains(new ModelArchitecture.Clip(ClipShape.preset("nano")));
    assertThat(m.metrics()).containsKeys("loss", "epoch", "epoch_step", "retrieval/image_to_text_R@1");
    assertThat(m.datasets()).hasSize(1);
  }

  @Test
  void aRunKilledPartWayAndResumedReachesThePlannedStepsWithALossLikeAnUninterruptedRun() throws Exception {
    String killed = dir.resolve("run-killed").toString();
    List<String> recipe = List.of("pretrain.clip.epochs=3", "pretrain.clip.checkpoint-every-steps=10",
        "pretrain.clip.eval.root=null");
    List<String> child = new ArrayList<>(nano(killed, recipe.toArray(String[]::new)));
    child.add("spark.master=\"local[2]\"");
    Process p = ChildJvm.start(PretrainClipJob.class, child, dir.resolve("killed.log"));
    Path second = Path.of(killed, "checkpoints", Checkpoints.nameForStep(20), CheckpointManifest.FILE_NAME);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(240);
    while (!java.nio.file.Files.exists(second) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(second).as("the child run's second checkpoint; its log:%n%s",
        java.nio.file.Files.readString(dir.resolve("killed.log"))).exists();
    p.destroyForcibly().waitFor();

    List<String> resumed = new ArrayList<>(nano(killed, recipe.toArray(String[]::new)));
    resumed.add("pretrain.clip.resume=true");
    String summary = run(spark, resumed);
    String full = dir.resolve("run-uninterrupted").toString();
    run(spark, nano(full, recipe.toArray(String[]::new)));

    Configuration conf = spark.sparkContext().hadoopConfiguration();
    int planned = 3 * (successes / 16 / 2);
    List<JsonNode> resumedLog = MetricsLog.read(killed, conf);
    List<JsonNode> fullLog = MetricsLog.read(full, conf);
    assertThat(resumedLog.stream().map(n -> n.get("step").asInt()).toList())
        .as("one metrics line per 10 steps, none repeated after the resume").isSorted().doesNotHaveDuplicates()
        .isEqualTo(fullLog.stream().map(n -> n.get("step").asInt()).toList()).endsWith(planned);
    assertThat(Checkpoints.readManifest(Checkpoints.latestComplete(killed + "/checkpoints", conf).orElseThrow(),
        conf).step()).isEqualTo(planned);
    assertThat(summary).contains(planned + " steps");
    double resumedLoss = resumedLog.get(resumedLog.size() - 1).get("loss").asDouble();
    double fullLoss = fullLog.get(fullLog.size() - 1).get("loss").asDouble();
    assertThat(Math.abs(resumedLoss - fullLoss)).as("final loss resumed %s vs uninterrupted %s", resumedLoss,
        fullLoss).isLessThan(0.15 * fullLoss);
  }

  @Test
  void lockedImageTuningTrainsTheTextTowerAndLeavesTheImageTowerBitwiseUnchanged() throws Exception {
    String out = dir.resolve("run-lit").toString();
    run(spark, nano(out, "pretrain.clip.eval.root=null", "pretrain.clip.max-steps=10",
        "pretrain.clip.locked-image=true"));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    org.deeplearning4j.nn.graph.ComputationGraph trained = io.sparkvlm.core.model.ModelCheckpoints.loadModel(
        Checkpoints.latestComplete(out + "/checkpoints", conf).orElseThrow(), conf);
    // the same seed builds the same initial weights
    org.deeplearning4j.nn.graph.ComputationGraph initial = io.sparkvlm.core.model.ClipModel.build(
        ClipShape.preset("nano"), io.sparkvlm.core.model.training.Optimiser.adam(1e-3),
        org.nd4j.linalg.api.buffer.DataType.FLOAT, 42, io.sparkvlm.core.model.ClipModel.Trainable.LOCKED_IMAGE);
    for (String layer : List.of("visionStem", "visionBlock0", "visionBlock1", "imageEmbedding")) {
      assertThat(trained.getLayer(layer).params().ravel().toFloatVector()).as(layer)
          .containsExactly(initial.getLayer(layer).params().ravel().toFloatVector());
    }
    assertThat(trained.getLayer("textBlock0").params().ravel().toFloatVector())
        .isNotEqualTo(initial.getLayer("textBlock0").params().ravel().toFloatVector());
  }

  @Test
  void refusesToOverwriteAnExistingRunUnlessAskedAndNamesTheKeysOfABadRecipe() throws Exception {
    String out = dir.resolve("run-refuses").toString();
    java.nio.file.Files.createDirectories(Path.of(out, "checkpoints"));
    java.nio.file.Files.writeString(Path.of(out, "metrics.jsonl"), "{\"step\": 1}\n");
    assertThatThrownBy(() -> run(spark, nano(out, "pretrain.clip.eval.root=null")))
        .hasMessageContaining(out).hasMessageContaining("pretrain.clip.resume=true").hasMessageContaining("--overwrite");
    assertThatThrownBy(() -> new PretrainClipJob().readConfig(new ConfigReader(config(nano(out,
        "pretrain.clip.log-every-steps=7"))))).isInstanceOf(ConfigError.class)
        .hasMessageContaining("pretrain.clip.log-every-steps").hasMessageContaining("averaging-frequency");
    // max-steps ends the run early, mid-epoch, and the schedule spans exactly those steps
    String capped = dir.resolve("run-capped").toString();
    run(spark, nano(capped, "pretrain.clip.eval.root=null", "pretrain.clip.max-steps=7",
        "pretrain.clip.optimiser.warmup-steps=2"));
    List<JsonNode> log = MetricsLog.read(capped, spark.sparkContext().hadoopConfiguration());
    assertThat(log.get(log.size() - 1).get("step").asInt()).isEqualTo(7);
    // the rate of the last step (index 6): warmup 2, cosine over the remaining 5 steps, 4/5 of the way down
    assertThat(log.get(log.size() - 1).get("learning_rate").asDouble())
        .isCloseTo(5e-3 * 0.5 * (1 + Math.cos(Math.PI * 4 / 5)), org.assertj.core.api.Assertions.within(1e-12));
    assertThatThrownBy(() -> run(spark, nano(dir.resolve("run-too-big").toString(), "pretrain.clip.eval.root=null",
        "pretrain.clip.batch-size-per-worker=4096"))).hasMessageContaining("too few");
    // files the config names: a missing eval set or tokenizer names its key before any work; a file that is no
    // tokenizer says so; nothing is written
    String named = dir.resolve("run-named-files").toString();
    assertThatThrownBy(() -> run(spark, nano(named, "pretrain.clip.eval.zero-shot=[\"eval/zeroshot/gone.json\"]")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("Config key 'pretrain.clip.eval' names ")
        .hasMessageContaining("eval/zeroshot/gone.json, which does not exist");
    assertThatThrownBy(() -> run(spark, nano(named, "pretrain.clip.eval.root=null",
        "pretrain.clip.tokenizer=\"" + dir.resolve("gone-tokenizer.json") + "\"")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("Config key 'pretrain.clip.tokenizer' names ");
    Path notATokenizer = dir.resolve("wordpiece.json");
    java.nio.file.Files.writeString(notATokenizer, "{\"model\": {\"type\": \"WordPiece\"}}");
    assertThatThrownBy(() -> run(spark, nano(named, "pretrain.clip.eval.root=null",
        "pretrain.clip.tokenizer=\"" + notATokenizer + "\"")))
        .isInstanceOf(io.sparkvlm.core.dataset.DatasetError.class)
        .hasMessageContaining("(pretrain.clip.tokenizer) is not a tokenizer spark-vlm reads")
        .hasMessageContaining("model.type is 'WordPiece'");
    assertThat(Path.of(named)).doesNotExist();
  }

  /**
   * pretrain.clip.init-from: a run starts from another CLIP checkpoint's weights, shape and tokenizer (here one with
   * OpenCLIP's tokenizer, as `vlm import openclip` writes), records it as a parent, and moves off it only a little.
   */
  @Test
  void initFromFineTunesAnotherCheckpointKeepingItsShapeAndTokenizer() throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ClipShape nano = ClipShape.preset("nano");
    ClipShape shape = new ClipShape("clip-nano-openclip", nano.vision(), nano.text(), nano.imageSize(),
        nano.patchSize(), nano.contextLength(), io.sparkvlm.core.text.ClipBpeTokenizer.bundled().vocabSize(),
        nano.embedDim());
    org.deeplearning4j.nn.graph.ComputationGraph start = io.sparkvlm.core.model.ClipModel.build(shape,
        new org.nd4j.linalg.learning.config.NoOp(), org.nd4j.linalg.api.buffer.DataType.FLOAT, 7);
    String init = dir.resolve("init").toString();
    io.sparkvlm.core.model.ModelCheckpoints.save(start, java.util.Optional.of(
        io.sparkvlm.core.text.ClipBpeTokenizer.bundled()), init, new CheckpointManifest(shape.name(),
        java.util.Optional.of(new ModelArchitecture.Clip(shape).toJson()), 0, 7,
        io.sparkvlm.core.io.Json.MAPPER.createObjectNode(), List.of(), List.of(), java.util.Map.of(),
        io.sparkvlm.core.runtime.Versions.all(), java.time.Instant.now().toString()), false, conf);
    String out = dir.resolve("run-init").toString();
    run(spark, nano(out, "pretrain.clip.eval.root=null", "pretrain.clip.max-steps=5",
        "pretrain.clip.averaging-frequency=1", "pretrain.clip.log-every-steps=1",
        "pretrain.clip.optimiser.learning-rate=1e-4", "pretrain.clip.optimiser.warmup-steps=0",
        "pretrain.clip.init-from=\"" + init + "\""));
    io.sparkvlm.core.model.ModelCheckpoints.Loaded trained = io.sparkvlm.core.model.ModelCheckpoints.load(out, conf);
    assertThat(trained.architecture()).isEqualTo(new ModelArchitecture.Clip(shape));
    assertThat(trained.requireTokenizer()).isInstanceOf(io.sparkvlm.core.text.ClipBpeTokenizer.class);
    assertThat(trained.manifest().parents()).containsExactly(init);
    org.nd4j.linalg.api.ndarray.INDArray after = trained.model().params();
    double moved = after.sub(start.params()).amaxNumber().doubleValue();
    // 5 Adam steps of at most about 1e-4 each; a model of another seed is a whole initialisation away
    assertThat(moved).isGreaterThan(0).isLessThan(2e-3);
    org.deeplearning4j.nn.graph.ComputationGraph other = io.sparkvlm.core.model.ClipModel.build(shape,
        new org.nd4j.linalg.learning.config.NoOp(), org.nd4j.linalg.api.buffer.DataType.FLOAT, 42);
    assertThat(after.sub(other.params()).amaxNumber().doubleValue()).isGreaterThan(0.1);

    assertThatThrownBy(() -> new PretrainClipJob().readConfig(new ConfigReader(config(nano(out,
        "pretrain.clip.init-from=\"" + init + "\"", "pretrain.clip.tokenizer=/some/tokenizer.json")))))
        .isInstanceOf(ConfigError.class).hasMessageContaining("pretrain.clip.tokenizer")
        .hasMessageContaining("pretrain.clip.init-from");
  }
}
