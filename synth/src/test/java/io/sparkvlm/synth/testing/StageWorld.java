package io.sparkvlm.synth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.synth.SynthConfig;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the stages after ingest start from in their tests, made without the other stages (stage modules do not
 * depend on each other): a
 * synthetic world; its web split as ingest would write it, every web caption with its noise (status success) plus a
 * few failed rows; and a round-0 CLIP and an LM trained briefly in this JVM on those captions, saved as
 * checkpoints with their tokenizers and architectures.
 */
public final class StageWorld {
  public static final int FAILED_ROWS = 5;
  public static final ClipShape NANO = ClipShape.preset("nano");
  public static final LanguageModel.Shape LM = LanguageModel.Shape.preset("lm-nano");

  private StageWorld() {}

  public static Path world(SparkSession spark, Path dir, int scenes) throws Exception {
    return world(spark, dir, scenes, 0.05);
  }

  public static Path world(SparkSession spark, Path dir, int scenes, double seedShare) throws Exception {
    Path world = dir.resolve("world");
    SynthConfig synth = SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(),
        List.of("synth.out=\"" + world + "\"", "synth.scenes=" + scenes, "synth.image-size=32",
            "synth.splits.seed=" + seedShare)))));
    SyntheticWorld.generate(spark, synth);
    return world;
  }

  /** One web pair as the test knows it. */
  public record Pair(String key, String url, String caption, byte[] image) {}

  public static List<Pair> webPairs(Path world) throws Exception {
    List<Pair> out = new ArrayList<>();
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode t = Json.MAPPER.readTree(line);
      String id = t.get("scene_id").asText();
      out.add(new Pair(id, t.get("url").asText(), t.get("caption").asText(),
          Files.readAllBytes(world.resolve("images/web/" + id + ".jpg"))));
    }
    return out;
  }

  /** The pairs dataset: every web pair successful (noisy captions included), plus failed rows. */
  public static void pairs(SparkSession spark, List<Pair> web, String location) {
    List<Row> rows = new ArrayList<>();
    for (Pair p : web) {
      rows.add(RowFactory.create(p.key(), p.url(), p.caption(), p.image(), "jpeg", 32, 32, 32, 32, null, null,
          PairStatus.SUCCESS.value(), null, "web", null));
    }
    for (int i = 0; i < FAILED_ROWS; i++) {
      rows.add(RowFactory.create("failed-" + i, "http://127.0.0.1:9/x" + i, "a caption", null, null, null, null,
          null, null, null, null, PairStatus.FAILED_TO_DOWNLOAD.value(), "connection refused", "web", null));
    }
    Datasets.writeRows(spark.createDataFrame(rows, PairsSchema.COLUMNS).repartition(3), location,
        PairsSchema.SCHEMA, false);
    Datasets.commit(spark, new Datasets.WrittenDataset(location, PairsSchema.SCHEMA, List.of()),
        new Datasets.Provenance("test", Json.MAPPER.createObjectNode(), Instant.now()));
  }

  public static BpeTokenizer tokenizer(SparkSession spark, List<Pair> web, int vocab) {
    List<String> captions = web.stream().map(Pair::caption).toList();
    return BpeTrainer.train(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(captions), vocab, 2);
  }

  /** A round-0 CLIP trained {@code steps} Adam steps on the (noisy) web pairs; returns its checkpoint. */
  public static String clip(SparkSession spark, List<Pair> web, Path out, int steps) throws Exception {
    BpeTokenizer tok = tokenizer(spark, web, NANO.vocabSize());
    ComputationGraph g = ClipModel.build(NANO, new Optimiser(2e-3, 10, steps, 0.9, 0.98, 1e-6, 0.1, 0),
        DataType.FLOAT, 3, ClipModel.Trainable.ALL);
    SplittableRandom r = new SplittableRandom(1);
    for (int step = 0; step < steps; step++) {
      List<float[]> px = new ArrayList<>();
      List<int[]> tokens = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        Pair p = web.get(r.nextInt(web.size()));
        px.add(ClipInputs.pixels(p.image(), NANO.visionTower()));
        tokens.add(ClipInputs.tokens(tok, p.caption(), NANO.contextLength()));
      }
      g.fit(ClipInputs.batch(px, tokens, NANO));
      io.sparkvlm.core.model.layers.ClipLoss.clampLogitScale(g, ClipModel.LOSS);
    }
    return save(g, tok, new ModelArchitecture.Clip(NANO), out.resolve("clip"), steps);
  }

  /** An LM trained {@code steps} Adam steps on the web captions; returns its checkpoint. */
  public static String lm(SparkSession spark, List<Pair> web, Path out, int steps) throws Exception {
    return lm(spark, web, out, steps, LM);
  }

  /** The same for another LM shape (e.g. a longer context for conversations). */
  public static String lm(SparkSession spark, List<Pair> web, Path out, int steps, LanguageModel.Shape shape)
      throws Exception {
    BpeTokenizer tok = tokenizer(spark, web, shape.vocabSize());
    ComputationGraph g = LanguageModel.build(shape, new Optimiser(3e-3, 10, steps, 0.9, 0.98, 1e-6, 0.05, 0),
        DataType.FLOAT, 4);
    SplittableRandom r = new SplittableRandom(2);
    for (int step = 0; step < steps; step++) {
      List<int[]> seqs = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        seqs.add(ClipInputs.tokens(tok, web.get(r.nextInt(web.size())).caption(), shape.contextLength() + 1));
      }
      g.fit(LanguageModel.batch(seqs, LanguageModel.learnAll(seqs), shape.contextLength()));
    }
    return save(g, tok, new ModelArchitecture.Language(shape), out.resolve("lm"), steps);
  }

  private static String save(ComputationGraph g, BpeTokenizer tok, ModelArchitecture a, Path run, int steps)
      throws Exception {
    String location = run.resolve("checkpoints").resolve(Checkpoints.nameForStep(steps)).toString();
    ModelCheckpoints.save(g, Optional.of(tok), location, new CheckpointManifest(a.name(), Optional.of(a.toJson()),
        steps, 1, Json.MAPPER.createObjectNode(), List.of(), List.of(), Map.of(), Versions.all(),
        Instant.now().toString()), false, new Configuration());
    return run.toString();
  }
}
