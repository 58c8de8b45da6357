package io.sparkvlm.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.Generation;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.SpecialTokens;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The real pretrain lm job in local[2]: captions plus instruction text of a small synthetic world. */
class PretrainLmJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path world;
  static String pairs;

  @BeforeAll
  static void world() throws Exception {
    spark = SparkTestSessions.local();
    world = WorldPairs.world(spark, dir, 1500);
    pairs = dir.resolve("pairs").toString();
    WorldPairs.pairs(spark, world, pairs);
  }

  @Test
  void aNanoLmLearnsTheCaptionLanguageAndItsCheckpointGenerates() throws Exception {
    String out = dir.resolve("lm").toString();
    String summary = PretrainClipJobTest.runJob(spark, new PretrainLmJob(), List.of(
        "pretrain.lm.input=\"" + pairs + "\"", "pretrain.lm.output=\"" + out + "\"",
        "pretrain.lm.instructions=\"" + world.resolve(SyntheticWorld.INSTRUCT) + "\"",
        "paths.synth=\"" + world + "\"", "pretrain.lm.model=lm-nano", "pretrain.lm.workers=2",
        "pretrain.lm.batch-size-per-worker=16", "pretrain.lm.averaging-frequency=5", "pretrain.lm.log-every-steps=10",
        "pretrain.lm.checkpoint-every-steps=50", "pretrain.lm.eval.every-steps=20", "pretrain.lm.epochs=8",
        "pretrain.lm.optimiser.learning-rate=5e-3", "pretrain.lm.optimiser.warmup-steps=10",
        "pretrain.lm.eval.max-texts=300"));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<JsonNode> log = MetricsLog.read(out, conf);
    List<Double> perplexity = log.stream().filter(n -> n.has("heldout/perplexity"))
        .map(n -> n.get("heldout/perplexity").asDouble()).toList();
    // a uniform guess over the 512-token vocabulary has perplexity 512; captions are very regular
    assertThat(perplexity.get(0)).as(summary).isLessThan(512);
    assertThat(perplexity.get(perplexity.size() - 1)).as("held-out perplexity over training: %s", perplexity)
        .isLessThan(0.5 * perplexity.get(0)).isLessThan(12);
    assertThat(log.get(log.size() - 1).get("perplexity").asDouble())
        .isCloseTo(Math.exp(log.get(log.size() - 1).get("loss").asDouble()),
            org.assertj.core.api.Assertions.within(1e-6));

    String newest = Checkpoints.latestComplete(out + "/checkpoints", conf).orElseThrow();
    assertThat(Checkpoints.readManifest(newest, conf).model()).isEqualTo("lm-nano");
    assertThat(ModelArchitecture.of(Checkpoints.readManifest(newest, conf), newest))
        .contains(new ModelArchitecture.Language(LanguageModel.Shape
            .of(ClipShape.preset("nano"))));
    ComputationGraph lm = ModelCheckpoints.loadModel(newest, conf);
    BpeTokenizer tokenizer = ModelCheckpoints.asBpe(ModelCheckpoints.loadTokenizer(newest, conf).orElseThrow(), newest);
    int[] generated = Generation.generate(lm, 16, List.of(new int[] {tokenizer.id(SpecialTokens.START_OF_TEXT)}),
        15, tokenizer.id(SpecialTokens.END_OF_TEXT), Generation.Sampling.GREEDY).get(0);
    String text = tokenizer.decode(generated, true);
    // the synthetic world's captions are made of a small vocabulary; a trained LM writes in it
    assertThat(text.split("\\s+").length).as(text).isGreaterThanOrEqualTo(3);
    assertThat(text.toLowerCase()).as(text).containsAnyOf("circle", "square", "triangle", "star", "red", "blue",
        "green", "background", "a ", "the ");
  }

  @Test
  void theLmDoesNotDependOnHowItsInputIsCutIntoFiles() throws Exception {
    // the same rows in other files, in another order: Spark reads them in another order
    String relaid = dir.resolve("pairs-relaid").toString();
    Datasets.writeRows(Datasets.read(spark, pairs, PairsSchema.SCHEMA).orderBy(functions.col(PairsSchema.KEY).desc()),
        relaid, PairsSchema.SCHEMA, false, 97);
    Datasets.commit(spark, new Datasets.WrittenDataset(relaid, PairsSchema.SCHEMA, List.of()),
        new Datasets.Provenance("test", Json.MAPPER.createObjectNode(), java.time.Instant.now()));
    assertThat(new java.io.File(relaid).list((d, n) -> n.endsWith(".parquet")).length).isGreaterThan(3);

    INDArray first = trainBriefly(pairs, "lm-a");
    INDArray second = trainBriefly(relaid, "lm-b");
    assertThat(second.equalsWithEps(first, 0)).as("parameters trained on the relaid input").isTrue();
  }

  private static INDArray trainBriefly(String input, String name) throws Exception {
    String out = dir.resolve(name).toString();
    PretrainClipJobTest.runJob(spark, new PretrainLmJob(), List.of(
        "pretrain.lm.input=\"" + input + "\"", "pretrain.lm.output=\"" + out + "\"",
        "pretrain.lm.instructions=\"" + world.resolve(SyntheticWorld.INSTRUCT) + "\"",
        "paths.synth=\"" + world + "\"", "pretrain.lm.model=lm-nano", "pretrain.lm.workers=2",
        "pretrain.lm.batch-size-per-worker=16", "pretrain.lm.averaging-frequency=2", "pretrain.lm.epochs=1",
        "pretrain.lm.eval.max-texts=20"));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    return ModelCheckpoints.loadModel(Checkpoints.latestComplete(out + "/checkpoints", conf).orElseThrow(), conf)
        .params();
  }

  @Test
  void instructionTurnsBecomeRoleTaggedTextAndBadRolesAreNamed() throws Exception {
    List<String> texts = LmTrainer.conversations(world.resolve(SyntheticWorld.INSTRUCT).toString(),
        new Configuration());
    assertThat(texts).isNotEmpty();
    assertThat(texts.get(0)).startsWith(SpecialTokens.USER).contains(SpecialTokens.ASSISTANT)
        .doesNotContain(SpecialTokens.IMAGE);
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "[{\"id\": \"x\", \"conversations\": [{\"from\": \"robot\", \"value\": \"hi\"}]}]");
    assertThatThrownBy(() -> LmTrainer.conversations(bad.toString(), new Configuration()))
        .hasMessageContaining("robot").hasMessageContaining("x");
  }
}
