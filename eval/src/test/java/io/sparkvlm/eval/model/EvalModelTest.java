package io.sparkvlm.eval.model;

import io.sparkvlm.training.executor.ExecutorEmbedder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.clipeval.ClipEvalSets;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.eval.EvalJob;
import io.sparkvlm.synth.SynthConfig;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code vlm eval model} on a nano CLIP checkpoint, a small synthetic world and 60 real Fashion-MNIST test images
 * (two suites), embeddings on local[2] executors.
 */
class EvalModelTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path world;
  static Path fashion;
  static String run;
  static ComputationGraph model;
  static BpeTokenizer tokenizer;
  static final ClipShape NANO = ClipShape.preset("nano");

  @BeforeAll
  static void checkpoint() throws Exception {
    spark = SparkTestSessions.local();
    world = dir.resolve("world");
    SyntheticWorld.generate(spark, SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(),
        List.of("synth.out=\"" + world + "\"", "synth.scenes=400"))))));
    tokenizer = BpeTrainer.train(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(List.of("a red circle", "a blue square on a white background", "the color green")), 400, 1);
    model = ClipModel.build(NANO, Optimiser.adam(1e-3), DataType.FLOAT, 11, ClipModel.Trainable.ALL);
    run = dir.resolve("run").toString();
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.putObject("pretrain").putObject("clip").put("model", "nano");
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ModelCheckpoints.save(model, Optional.of(tokenizer), run + "/checkpoints/" + Checkpoints.nameForStep(20),
        new CheckpointManifest(NANO.name(), Optional.empty(), 20, 11, config, List.of(), List.of(), Map.of(),
            Versions.all(), Instant.now().toString()), false, conf);
    fashion = dir.resolve("fashion-mnist");
    io.sparkvlm.synth.FashionMnist.write(Path.of(System.getProperty("sparkvlm.fashion-mnist.dir",
        io.sparkvlm.synth.FashionMnist.DEBIAN_DIR.toString())), fashion, 60, 3);
    MetricsLog log = MetricsLog.open(run, Long.MAX_VALUE, conf);
    log.append(10, Map.of("loss", 2.5, "learning_rate", 1e-3));
    log.append(20, Map.of("loss", 2.3, "learning_rate", 5e-4, "retrieval/image_to_text_R@5", 0.1,
        "retrieval/text_to_image_R@5", 0.12));
  }

  static Config config(String... more) {
    List<String> o = new java.util.ArrayList<>(List.of("paths.synth=\"" + world + "\"",
        "eval.model.checkpoint=\"" + run + "\"", "eval.model.report=\"" + dir.resolve("report") + "\"",
        "eval.model.images-per-task=40", "eval.model.max-images=120",
        "eval.model.suites=[{root = \"" + world + "\", retrieval = \"eval/retrieval/test.jsonl\", zero-shot = "
            + "[\"eval/zeroshot/shape.json\", \"eval/zeroshot/colour.json\", \"eval/zeroshot/composition.json\"]}, "
            + "{root = \"" + fashion + "\", zero-shot = [\"zeroshot/fashion-mnist.json\"], "
            + "probe-train = [\"probe/fashion-mnist.json\"]}]"));
    o.addAll(List.of(more));
    return ConfigLoader.load(new ConfigSources(List.of(), o));
  }

  @Test
  void evaluatesOnExecutorsWithTheDriversEmbeddingsAndWritesTheReport() throws Exception {
    Config config = config();
    EvalJob job = new EvalJob();
    String summary = JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))).summary();
    JsonNode metrics = Json.MAPPER.readTree(dir.resolve("report/metrics.json").toFile());
    assertThat(metrics.get("step").asInt()).isEqualTo(20);
    assertThat(metrics.get("zero_shot_templates").asText()).isEqualTo("ensemble");
    for (String key : List.of("zeroshot/shape/acc1", "zeroshot/colour/acc5", "zeroshot/composition/acc1",
        "retrieval/image_to_text_R@1", "retrieval/text_to_image_R@10", "linear_probe/colour/acc1",
        "zeroshot/fashion-mnist/acc1", "zeroshot/fashion-mnist/mean_per_class_recall",
        "linear_probe/fashion-mnist/acc1")) {
      assertThat(metrics.has(key)).as(key + " in " + metrics).isTrue();
      assertThat(metrics.get(key).asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(summary).contains("report.html");
    // Fashion-MNIST's probe trains on its train split (60 images here) and tests on all 60 test images; the
    // synthetic colour task has no probe-train file in this suite: half its test images train
    assertThat(metrics.get("linear_probe/fashion-mnist/train_samples").asInt()).isEqualTo(60);
    assertThat(metrics.get("linear_probe/fashion-mnist/test_samples").asInt()).isEqualTo(60);
    assertThat(metrics.get("linear_probe/fashion-mnist/train_on_test_half").asInt()).isZero();
    assertThat(metrics.get("linear_probe/colour/train_on_test_half").asInt()).isOne();
    // the executors' embeddings are the driver's (the evaluator the training loop uses embeds on the driver);
    // compared as embeddings, since an untrained model's near-tied similarities make ranks fragile
    ClipEvalSets sets = ClipEvalSets.read(world.toString(), Optional.of("eval/retrieval/test.jsonl"), List.of(),
        50, new Configuration());
    List<byte[]> images = sets.retrieval().orElseThrow().images();
    ExecutorEmbedder executors = new ExecutorEmbedder(JavaSparkContext.fromSparkContext(spark.sparkContext()),
        Files.readAllBytes(Path.of(run, "checkpoints", Checkpoints.nameForStep(20), ModelCheckpoints.MODEL)), NANO,
        7);
    double[][] remote = executors.images(images);
    List<float[]> pixels = new java.util.ArrayList<>();
    images.forEach(b -> pixels.add(ClipInputs.pixels(b, NANO.visionTower())));
    double[][] local = ClipEmbeddings.images(model, NANO, pixels, 64);
    assertThat(remote.length).isEqualTo(images.size());
    for (int i = 0; i < local.length; i++) {
      for (int j = 0; j < local[i].length; j++) {
        assertThat(remote[i][j]).isCloseTo(local[i][j], org.assertj.core.api.Assertions.within(1e-5));
      }
    }
    String html = Files.readString(dir.resolve("report/report.html"));
    assertThat(html).contains("Zero-shot fashion-mnist: confusion matrix").contains("Training loss").contains("confusion matrix").contains("Retrieval recall@k")
        .contains("data:image/jpeg;base64").contains("Not evaluated");
    assertThat(Files.readString(dir.resolve("report/report.md"))).contains("zeroshot/shape/acc1");
  }

  @Test
  void aProbeTrainingSetForAnUnknownTaskIsAClearError() {
    Config config = config("eval.model.suites=[{root = \"" + fashion + "\", zero-shot = [], "
        + "probe-train = [\"probe/fashion-mnist.json\"]}]");
    EvalJob job = new EvalJob();
    assertThatThrownBy(() -> JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))))
        .hasMessageContaining("probe/fashion-mnist.json")
        .hasMessageContaining("linear-probe training set for task 'fashion-mnist', which no zero-shot file");
  }

  /** A suite given by its folder alone is what the folder's suite.json lists (here Fashion-MNIST's). */
  @Test
  void aSuiteGivenByItsFolderReadsItsSuiteFile() throws Exception {
    Config config = config("eval.model.suites=[{root = \"" + fashion + "\"}]",
        "eval.model.report=\"" + dir.resolve("report-suite-file") + "\"");
    EvalJob job = new EvalJob();
    EvalModelConfig c = job.readConfig(new ConfigReader(config));
    assertThat(c.suites()).singleElement().satisfies(s -> {
      assertThat(s.zeroShot()).containsExactly("zeroshot/fashion-mnist.json");
      assertThat(s.probeTrain()).containsExactly("probe/fashion-mnist.json");
      assertThat(s.retrieval()).isEmpty();
    });
    JobLauncher.execute(job, spark, config, c);
    JsonNode metrics = Json.MAPPER.readTree(dir.resolve("report-suite-file/metrics.json").toFile());
    assertThat(metrics.has("zeroshot/fashion-mnist/acc1")).isTrue();
    assertThat(metrics.has("zeroshot/colour/acc1")).isFalse();

    Config none = config("eval.model.suites=[{root = \"" + dir.resolve("run") + "\"}]");
    assertThatThrownBy(() -> job.readConfig(new ConfigReader(none))).hasMessageContaining("suite.json")
        .hasMessageContaining("gives only a root");
  }

  @Test
  void aSuiteFileThatDoesNotExistIsRefusedBeforeAnyWorkNamingTheSuite() {
    Config config = config("eval.model.suites=[{root = \"" + fashion + "\", zero-shot = "
        + "[\"zeroshot/fashion-mnist.json\"]}, {root = \"" + world + "\", retrieval = \"eval/retrieval/gone.jsonl\"}]",
        "eval.model.report=\"" + dir.resolve("report-missing") + "\"");
    EvalJob job = new EvalJob();
    assertThatThrownBy(() -> JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))))
        .isInstanceOf(io.sparkvlm.core.config.ConfigError.class)
        .hasMessageContaining("eval.model.suites[1]").hasMessageContaining("eval/retrieval/gone.jsonl")
        .hasMessageContaining("does not exist");
    assertThat(dir.resolve("report-missing")).doesNotExist();
  }

  @Test
  void aFolderWithoutACheckpointIsAClearError() {
    Config config = config("eval.model.checkpoint=\"" + dir.resolve("nothing") + "\"");
    EvalJob job = new EvalJob();
    assertThatThrownBy(() -> JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))))
        .hasMessageContaining("No checkpoint at").hasMessageContaining("nothing");
  }
}
