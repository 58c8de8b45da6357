package io.sparkvlm.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.BootstrappedPairs;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.FilterDecisions;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.synth.testing.StageWorld;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CapFilt end to end in local[2] on a nano world: a briefly trained round-0 CLIP and LM, the captioner and the
 * matcher fine-tuned on the seed split, captions and scores on the executors, the bootstrapped dataset, the decisions
 * and the manifest; the bookkeeping checked row by row against the input.
 */
class FilterJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path world;
  static List<StageWorld.Pair> web;
  static String pairs;
  static String clip;
  static String lm;

  @BeforeAll
  static void models() throws Exception {
    spark = SparkTestSessions.local();
    world = StageWorld.world(spark, dir, 700);
    web = StageWorld.webPairs(world);
    pairs = dir.resolve("pairs").toString();
    StageWorld.pairs(spark, web, pairs);
    clip = StageWorld.clip(spark, web, dir, 150);
    lm = StageWorld.lm(spark, web, dir, 200);
  }

  static List<String> base(String name, String... more) {
    List<String> o = new ArrayList<>(List.of("paths.root=\"" + dir.resolve(name) + "\"",
        "paths.synth=\"" + world + "\"", "filter.input=\"" + pairs + "\"", "filter.clip=\"" + clip + "\"",
        "filter.lm=\"" + lm + "\"", "filter.captioner.workers=2", "filter.matcher.workers=2",
        "filter.captioner.batch-size-per-worker=8", "filter.matcher.batch-size-per-worker=8",
        "filter.captioner.epochs=12", "filter.matcher.epochs=12", "filter.captioner.log-every-steps=5",
        "filter.matcher.log-every-steps=5", "filter.captioner.checkpoint-every-steps=1000",
        "filter.matcher.checkpoint-every-steps=1000", "filter.captions.max-tokens=12",
        "filter.captions.min-tokens=2"));
    o.addAll(List.of(more));
    return o;
  }

  static String run(List<String> overrides) throws Exception {
    Config config = ConfigLoader.load(new ConfigSources(List.of(), overrides));
    FilterJob job = new FilterJob();
    return JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))).summary();
  }

  @Test
  void capfiltAccountsForEveryRowAndTextAndKeepsOnlyWhatPassed() throws Exception {
    String summary = run(base("capfilt"));
    Path root = dir.resolve("capfilt");
    String boot = root.resolve("bootstrapped").toString();
    // pretrain reads it as a pairs dataset
    Dataset<Row> out = Datasets.read(spark, boot, PairsSchema.SCHEMA);
    List<Row> rows = out.collectAsList();
    int seedCaptions = 0;
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.SEED_PAIRS))) {
      seedCaptions += Json.MAPPER.readTree(line).get("captions").size();
    }
    Map<String, Integer> bySource = new HashMap<>();
    for (Row r : rows) {
      bySource.merge(r.getAs(BootstrappedPairs.TEXT_SOURCE), 1, Integer::sum);
      String status = r.getAs(PairsSchema.STATUS);
      Object itm = r.getAs(BootstrappedPairs.ITM_SCORE);
      if (itm != null) {
        // the kept set never holds a text the filter rejected, and a filtered text never passed
        if (status.equals(PairStatus.SUCCESS.value())) {
          assertThat((Double) itm).as(r.<String>getAs(PairsSchema.KEY)).isGreaterThanOrEqualTo(0.5);
        } else {
          assertThat(status).isEqualTo(PairStatus.FILTERED.value());
          assertThat((Double) itm).isLessThan(0.5);
          assertThat(r.<String>getAs(PairsSchema.ERROR_MESSAGE)).startsWith("itm ");
        }
      }
    }
    // every input row once as a web text (failed rows pass through), one synthetic caption per image, the seed set
    assertThat(bySource.get("web")).isEqualTo(web.size() + StageWorld.FAILED_ROWS);
    assertThat(bySource.get("synthetic")).isEqualTo(web.size());
    assertThat(bySource.get("seed")).isEqualTo(seedCaptions);
    assertThat(rows.stream().filter(r -> r.getAs(PairsSchema.STATUS).equals(PairStatus.FAILED_TO_DOWNLOAD.value())))
        .hasSize(StageWorld.FAILED_ROWS);
    // the manifest's counts add up
    JsonNode m = Json.MAPPER.readTree(root.resolve("filter").resolve(CapFilt.MANIFEST).toFile());
    JsonNode counts = m.get("counts");
    assertThat(counts.get("images").asLong()).isEqualTo(web.size());
    assertThat(counts.get("images_with_kept_text").asLong() + counts.get("images_without_kept_text").asLong())
        .isEqualTo(web.size());
    assertThat(counts.get("web_kept").asLong() + counts.get("web_dropped").asLong()).isEqualTo(web.size());
    assertThat(counts.get("synthetic_kept").asLong() + counts.get("synthetic_dropped").asLong())
        .isEqualTo(counts.get("synthetic_generated").asLong());
    long kept = rows.stream().filter(r -> r.getAs(PairsSchema.STATUS).equals(PairStatus.SUCCESS.value())
        && !r.getAs(BootstrappedPairs.TEXT_SOURCE).equals("seed")).count();
    assertThat(kept).isEqualTo(counts.get("web_kept").asLong() + counts.get("synthetic_kept").asLong());
    assertThat(m.get("captioner").asText()).contains("captioner");
    assertThat(m.get("matcher").asText()).contains("matcher");
    // the default matcher reads the round-0 CLIP's cosine: its checkpoint says so, and each text's ITM score follows
    // that text's own cosine (it starts as a logistic fit of it; misaligned cosines would break the rank order)
    assertThat(ModelCheckpoints.load(m.get("matcher").asText(), new Configuration())
        .as(ModelArchitecture.Matching.class, "matcher").shape().head()).isEqualTo(MatchingModel.Head.FUSED_AND_ITC);
    List<double[]> scores = new ArrayList<>();
    for (Row r : rows) {
      if (r.getAs(BootstrappedPairs.ITM_SCORE) != null) {
        scores.add(new double[] {r.<Double>getAs(BootstrappedPairs.ITM_SCORE), r.<Double>getAs(
            BootstrappedPairs.ITC_SCORE)});
      }
    }
    assertThat(spearman(scores)).as("rank correlation of ITM and ITC scores").isGreaterThan(0.5);
    // the decisions: one per web pair, in the contract vlm eval filter reads
    Map<String, FilterDecisions.Decision> decisions = FilterDecisions.read(
        root.resolve("filter").resolve(CapFilt.DECISIONS).toString(), new Configuration());
    assertThat(decisions).hasSize(web.size());
    assertThat(decisions.values().stream().filter(FilterDecisions.Decision::kept).count())
        .isEqualTo(counts.get("web_kept").asLong());
    // What a nano run can show: the captioner learned the seed captions' language (its loss fell well below where
    // it started), and every synthetic caption is a non-empty text. Filter quality (precision of the kept web texts)
    // is NOT asserted: the nano round-0 CLIP, trained for seconds, is what the matcher starts from, and its cosine
    // barely separates right from wrong captions (docs/stages/filter.md, "Quality"); it is printed here.
    List<JsonNode> captioner = MetricsLog.read(root.resolve("filter").resolve("captioner").toString(),
        new Configuration());
    double firstLoss = captioner.get(0).get("loss").asDouble();
    double lastLoss = captioner.get(captioner.size() - 1).get("loss").asDouble();
    assertThat(lastLoss).as("captioner loss %s -> %s", firstLoss, lastLoss).isLessThan(0.6 * firstLoss);
    assertThat(rows.stream().filter(r -> r.getAs(BootstrappedPairs.TEXT_SOURCE).equals("synthetic"))
        .map(r -> r.<String>getAs(PairsSchema.CAPTION))).allSatisfy(c -> assertThat(c).isNotBlank());
    Map<String, Boolean> matches = new HashMap<>();
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode t = Json.MAPPER.readTree(line);
      matches.put(t.get("url").asText(), t.get("matches_image").asBoolean());
    }
    long keptWeb = decisions.values().stream().filter(FilterDecisions.Decision::kept).count();
    long keptRight = decisions.values().stream().filter(d -> d.kept() && matches.get(d.url())).count();
    double baseRate = matches.values().stream().filter(b -> b).count() / (double) matches.size();
    System.out.printf("capfilt nano: %s%n  captioner loss %.3f -> %.3f; kept web %d of %d, precision %.3f "
        + "(web base rate %.3f)%n", summary, firstLoss, lastLoss, keptWeb, decisions.size(),
        keptRight / (double) Math.max(1, keptWeb), baseRate);
  }

  @Test
  void theClipScoreBaselineKeepsItsTopFraction() throws Exception {
    run(base("clip-score", "filter.mode=clip-score", "filter.clip-score.top-fraction=0.4"));
    Path root = dir.resolve("clip-score");
    JsonNode counts = Json.MAPPER.readTree(root.resolve("filter").resolve(CapFilt.MANIFEST).toFile()).get("counts");
    assertThat(counts.get("synthetic_generated").asLong()).isZero();
    double share = counts.get("web_kept").asDouble() / web.size();
    assertThat(share).isBetween(0.35, 0.45);
    // no model trained in this mode
    assertThat(root.resolve("filter").resolve("captioner")).doesNotExist();
    assertThat(root.resolve("filter").resolve("matcher")).doesNotExist();

    // reruns: a complete run is refused, or skipped with output.skip-complete; an incomplete one is replaced
    List<String> again = base("clip-score", "filter.mode=clip-score", "filter.clip-score.top-fraction=0.4");
    assertThatThrownBy(() -> run(again)).hasMessageContaining("A filter run is already complete")
        .hasMessageContaining("output.skip-complete");
    List<String> skip = new ArrayList<>(again);
    skip.add(io.sparkvlm.core.job.OutputSettings.SKIP_COMPLETE + "=true");
    assertThat(run(skip)).startsWith("skipped: the output is complete");
    java.nio.file.Files.delete(root.resolve("filter").resolve(CapFilt.MANIFEST));   // as if it died before it
    assertThat(run(skip)).as("the stage ran again").contains("web texts kept");
    JsonNode redone = Json.MAPPER.readTree(root.resolve("filter").resolve(CapFilt.MANIFEST).toFile()).get("counts");
    assertThat(redone).isEqualTo(counts);
    long decisions;
    try (var lines = java.nio.file.Files.walk(root.resolve("filter").resolve(CapFilt.DECISIONS))) {
      decisions = lines.filter(f -> f.getFileName().toString().startsWith("part-")).mapToLong(f -> {
        try (var l = java.nio.file.Files.lines(f)) {
          return l.count();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sum();
    }
    assertThat(decisions).as("one decision per web pair, the old ones replaced").isEqualTo(web.size());
  }

  /** The seed set as a COCO captions file (real data's usual form) gives the bootstrapped dataset the same rows. */
  @Test
  void aCocoCaptionsSeedSetServesAsTheJsonLinesOne() throws Exception {
    var coco = Json.MAPPER.createObjectNode();
    var images = coco.putArray("images");
    var annotations = coco.putArray("annotations");
    int seedCaptions = 0;
    long id = 0;
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.SEED_PAIRS))) {
      JsonNode pair = Json.MAPPER.readTree(line);
      images.addObject().put("id", ++id).put("file_name", pair.get("image").asText());
      for (JsonNode caption : pair.get("captions")) {
        annotations.addObject().put("id", ++seedCaptions).put("image_id", id).put("caption", caption.asText());
      }
    }
    Files.writeString(world.resolve("captions_seed_coco.json"), Json.MAPPER.writeValueAsString(coco));
    run(base("coco-seed", "filter.mode=clip-score", "filter.seed.format=coco-captions",
        "filter.seed.pairs=captions_seed_coco.json"));
    List<Row> rows = Datasets.read(spark, dir.resolve("coco-seed").resolve("bootstrapped").toString(),
        BootstrappedPairs.SCHEMA).filter(BootstrappedPairs.TEXT_SOURCE + " = 'seed'").collectAsList();
    assertThat(rows).hasSize(seedCaptions);
    assertThat(rows.stream().map(r -> r.<String>getAs(PairsSchema.CAPTION)).sorted().toList())
        .isEqualTo(java.util.stream.StreamSupport.stream(annotations.spliterator(), false)
            .map(a -> a.get("caption").asText()).sorted().toList());
  }

  /**
   * A CLIP that carries OpenCLIP's tokenizer (what `vlm import openclip` writes) serves as filter.clip: the
   * CLIP-score baseline embeds with it, and filter-only trains the matcher on its towers and tokenizer.
   */
  @Test
  void aClipWithOpenClipsTokenizerServesTheFilter() throws Exception {
    io.sparkvlm.core.model.ClipShape nano = io.sparkvlm.core.model.ClipShape.preset("nano");
    io.sparkvlm.core.text.ClipBpeTokenizer openclip = io.sparkvlm.core.text.ClipBpeTokenizer.bundled();
    io.sparkvlm.core.model.ClipShape shape = new io.sparkvlm.core.model.ClipShape("clip-nano-openclip",
        nano.vision(), nano.text(), nano.imageSize(), nano.patchSize(), nano.contextLength(), openclip.vocabSize(),
        nano.embedDim());
    String imported = dir.resolve("openclip-clip").toString();
    io.sparkvlm.core.model.ModelCheckpoints.save(io.sparkvlm.core.model.ClipModel.build(shape,
        new org.nd4j.linalg.learning.config.NoOp(), org.nd4j.linalg.api.buffer.DataType.FLOAT, 3),
        java.util.Optional.of(openclip), imported, new io.sparkvlm.core.checkpoint.CheckpointManifest(shape.name(),
            java.util.Optional.of(new io.sparkvlm.core.model.ModelArchitecture.Clip(shape).toJson()), 0, 3,
            Json.MAPPER.createObjectNode(), List.of(), List.of(), Map.of(), io.sparkvlm.core.runtime.Versions.all(),
            java.time.Instant.now().toString()), false, new Configuration());
    String clipArg = "filter.clip=\"" + imported + "\"";
    run(base("openclip-score", clipArg, "filter.mode=clip-score", "filter.clip-score.top-fraction=0.4"));
    JsonNode scored = Json.MAPPER.readTree(dir.resolve("openclip-score/filter").resolve(CapFilt.MANIFEST).toFile())
        .get("counts");
    assertThat(scored.get("web_kept").asDouble() / web.size()).isBetween(0.35, 0.45);
    // (with web captions as extra negatives: the matcher's batches then hold four rows per pair)
    run(base("openclip-filter", clipArg, "filter.mode=filter-only", "filter.matcher.epochs=1",
        "filter.matcher.web-negatives=1"));
    JsonNode filtered = Json.MAPPER.readTree(dir.resolve("openclip-filter/filter").resolve(CapFilt.MANIFEST)
        .toFile()).get("counts");
    assertThat(filtered.get("web_kept").asLong() + filtered.get("web_dropped").asLong()).isEqualTo(web.size());
  }

  @Test
  void badInputIsRefusedBeforeAnyWork() throws Exception {
    // an LM where the CLIP should be
    assertThatThrownBy(() -> run(base("wrong-kind", "filter.clip=\"" + lm + "\"")))
        .hasMessageContaining("filter.clip").hasMessageContaining("lm-nano");
    // an empty seed set
    Path empty = dir.resolve("empty-seed");
    Files.createDirectories(empty.resolve("seed"));
    Files.writeString(empty.resolve("seed/pairs.jsonl"), "\n");
    assertThatThrownBy(() -> run(base("empty", "filter.seed.root=\"" + empty + "\"")))
        .hasMessageContaining("empty");
    // not a spark-vlm dataset
    assertThatThrownBy(() -> run(base("no-data", "filter.input=\"" + dir.resolve("nothing") + "\"")))
        .hasMessageContaining("filter.input: No dataset at " + dir.resolve("nothing"));
    assertThat(dir.resolve("wrong-kind").resolve("filter").resolve("captioner")).doesNotExist();
  }

  /** Spearman's rank correlation of the two columns (no ties expected in model scores). */
  private static double spearman(List<double[]> xy) {
    int n = xy.size();
    double[] rx = ranks(xy, 0);
    double[] ry = ranks(xy, 1);
    double d2 = 0;
    for (int i = 0; i < n; i++) {
      d2 += (rx[i] - ry[i]) * (rx[i] - ry[i]);
    }
    return 1 - 6 * d2 / ((double) n * ((double) n * n - 1));
  }

  private static double[] ranks(List<double[]> xy, int column) {
    Integer[] order = new Integer[xy.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> xy.get(i)[column]));
    double[] rank = new double[order.length];
    for (int r = 0; r < order.length; r++) {
      rank[order[r]] = r;
    }
    return rank;
  }
}
