package io.sparkvlm.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.DetectionsSchema;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.dataset.DetectionInstances;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.DetectorModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.synth.SyntheticWorld;
import io.sparkvlm.synth.testing.StageWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector's two jobs end to end in local[2] on a nano world: training on the world's boxes from a briefly
 * trained CLIP (the queries are the combinations boxed in training; the frozen tower bitwise the CLIP's; the CLIP
 * recorded as parent), then detection over the test images on the executors (COCO results, the same boxes as the
 * local path computes), and bad input refused before any work.
 */
class DetectJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path world;
  static String clip;
  static String detector;
  static final Configuration CONF = new Configuration();

  @BeforeAll
  static void trained() throws Exception {
    spark = SparkTestSessions.local();
    world = StageWorld.world(spark, dir, 300);
    clip = StageWorld.clip(spark, StageWorld.webPairs(world), dir, 40);
    run(new TrainDetectorJob(), base("train"));
    detector = Checkpoints.latestComplete(dir.resolve("train/checkpoints/detector/checkpoints").toString(), CONF)
        .orElseThrow();
  }

  static List<String> base(String name, String... more) {
    List<String> o = new ArrayList<>(List.of("paths.root=\"" + dir.resolve(name) + "\"",
        "paths.synth=\"" + world + "\"", "detect.train.clip=\"" + clip + "\"", "detect.train.workers=2",
        "detect.train.batch-size-per-worker=8", "detect.train.epochs=2", "detect.train.log-every-steps=5",
        "detect.train.averaging-frequency=5", "detect.train.checkpoint-every-steps=1000"));
    o.addAll(List.of(more));
    return o;
  }

  static <C> String run(StageJob<C> job, List<String> overrides) throws Exception {
    Config config = ConfigLoader.load(new ConfigSources(List.of(), overrides));
    return JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))).summary();
  }

  @Test
  void trainingLearnsTheBoxedCombinationsFromTheClipAndKeepsItsFrozenTower() throws Exception {
    ModelCheckpoints.Loaded d = ModelCheckpoints.load(detector, CONF);
    DetectorModel.Shape shape = d.as(ModelArchitecture.Detector.class, "test").shape();
    JsonNode train = Json.MAPPER.readTree(world.resolve(SyntheticWorld.DETECTION_TRAIN).toFile());
    Set<String> boxed = new HashSet<>();
    train.get("annotations").forEach(a -> boxed.add(a.get(DetectionInstances.COMBINATION).asText()));
    assertThat(shape.queries()).as("one training query per combination with a training box").isEqualTo(boxed.size());
    ModelCheckpoints.Loaded c = ModelCheckpoints.load(clip, CONF);
    assertThat(d.manifest().parents()).containsExactly(c.location());
    ComputationGraph g = d.model();
    ComputationGraph clipModel = c.model();
    for (String layer : ClipModel.visionTowerLayers(shape.vision().tower().layers())) {
      assertThat(g.getLayer(layer).params()).as(layer + " frozen").isEqualTo(clipModel.getLayer(layer).params());
    }
    ComputationGraph fresh = DetectorModel.build(shape, new org.nd4j.linalg.learning.config.Adam(1e-3),
        org.nd4j.linalg.api.buffer.DataType.FLOAT, 47, DetectorModel.Trainable.HEAD);
    DetectorModel.initialiseFrom(fresh, shape, clipModel);
    assertThat(g.getLayer(DetectorModel.HEAD).params()).as("the head trained")
        .isNotEqualTo(fresh.getLayer(DetectorModel.HEAD).params());
    assertThat(QueryTemplate.of(d.manifest(), d.location()).text("red star")).isEqualTo("a photo of a red star.");
  }

  @Test
  void detectionOverTheTestImagesRunsOnTheExecutorsAndMatchesTheLocalPath() throws Exception {
    Path folder = dir.resolve("detections");
    String results = folder.resolve(DetectJob.RESULTS).toString();
    List<String> settings = base("detect", "detect.dataset.checkpoint=\"" + detector + "\"",
        "detect.dataset.output=\"" + folder + "\"", "detect.dataset.per-query=2", "detect.dataset.batch=7");
    String summary = run(new DetectJob(), settings);
    JsonNode test = Json.MAPPER.readTree(world.resolve(SyntheticWorld.DETECTION_TEST).toFile());
    List<String> queries = CocoInstances.allQueries(test, "test");
    JsonNode out = Json.MAPPER.readTree(Files.readAllBytes(Path.of(results)));
    Map<Long, List<JsonNode>> byImage = new HashMap<>();
    out.forEach(r -> byImage.computeIfAbsent(r.get("image_id").asLong(), k -> new ArrayList<>()).add(r));
    assertThat(byImage.keySet()).as(summary).hasSize(test.get("images").size());
    Map<String, Integer> categories = DetectJob.categoryIds(test);
    for (List<JsonNode> image : byImage.values()) {
      Set<String> asked = new HashSet<>();
      for (JsonNode r : image) {
        asked.add(r.get(DetectionInstances.COMBINATION).asText());
        assertThat(r.get("category_id").asInt()).isEqualTo(categories.get(r.get(DetectionInstances.COMBINATION)
            .asText()));
        assertThat(r.get("score").asDouble()).isBetween(0.0, 1.0);
        assertThat(r.get("bbox").get(2).asDouble()).isPositive();
      }
      assertThat(asked).as("every query, unseen ones included, asked of every image").hasSize(queries.size());
      assertThat(image.size()).isBetween(queries.size(), 2 * queries.size());
    }
    // a rerun with output.skip-complete does nothing; with another per-query it refuses, naming the key
    List<String> again = new ArrayList<>(settings);
    again.add("output.skip-complete=true");
    assertThat(run(new DetectJob(), again)).contains("skipped");
    again.add("detect.dataset.per-query=3");
    assertThatThrownBy(() -> run(new DetectJob(), again)).isInstanceOf(ConfigError.class)
        .hasMessageContaining("detect.dataset.per-query was 2, now 3");
    // the first image, locally (vlm detect's path), gives the executors' boxes
    JsonNode first = test.get("images").get(0);
    Detector local = Detector.load("test", detector, Optional.empty(), CONF);
    List<Detector.Found> found = Detector.detect(local.checkpoint().model(), local.shape(),
        List.of(Files.readAllBytes(world.resolve(first.get("file_name").asText()))),
        List.of(new int[] {first.get("width").asInt(), first.get("height").asInt()}), local.embed(queries), 2).get(0);
    List<JsonNode> remote = byImage.get(first.get("id").asLong());
    assertThat(remote).hasSize(found.size());
    for (int i = 0; i < found.size(); i++) {
      assertThat(remote.get(i).get("score").asDouble()).isCloseTo(found.get(i).score(),
          org.assertj.core.api.Assertions.within(1e-6));
      assertThat(remote.get(i).get("bbox").get(0).asDouble()).isCloseTo(found.get(i).xywh()[0],
          org.assertj.core.api.Assertions.within(0.01));
    }
  }

  /** A pairs row as {@code vlm detect pairs} selects it (its input columns, read by name). */
  private static org.apache.spark.sql.Row pairsRow(String key, String status, byte[] image) {
    org.apache.spark.sql.types.StructType columns = new org.apache.spark.sql.types.StructType(
        PairDetections.INPUT_COLUMNS.stream().map(c -> PairsSchema.COLUMNS.apply(c))
            .toArray(org.apache.spark.sql.types.StructField[]::new));
    return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {key,
        "http://127.0.0.1:9/" + key, status, image == null ? "connection refused" : null, image}, columns);
  }

  private static List<org.apache.spark.sql.Row> withSchema(List<org.apache.spark.sql.Row> rows) {
    return rows.stream().<org.apache.spark.sql.Row>map(r -> new org.apache.spark.sql.catalyst.expressions
        .GenericRowWithSchema(((org.apache.spark.sql.catalyst.expressions.GenericRow) r).values(),
        DetectionsSchema.COLUMNS)).toList();
  }

  @Test
  void rowsOfABatchWithTheSameImageGetTheSameBoxes() throws Exception {
    Detector local = Detector.load("test", detector, Optional.empty(), CONF);
    List<String> texts = List.of("red star", "blue circle");
    PairDetections.Queries q = new PairDetections.Queries(texts, local.embed(texts), 2, 0.0);
    List<StageWorld.Pair> web = StageWorld.webPairs(world);
    byte[] a = web.get(0).image();
    byte[] b = web.get(1).image();
    byte[] html = "<html>not an image</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<org.apache.spark.sql.Row> batch = List.of(pairsRow("a", "success", a), pairsRow("b", "success", b),
        pairsRow("a-copy", "success", a.clone()), pairsRow("gone", "failed_to_download", null),
        pairsRow("html", "success", html), pairsRow("html-copy", "success", html.clone()));
    // the rows come back without a schema (positional, as the job writes them): read them through the columns'
    List<org.apache.spark.sql.Row> out = withSchema(PairDetections.detect(local.checkpoint().model(),
        local.shape(), batch, q));
    assertThat(out).extracting(r -> (String) r.getAs(DetectionsSchema.KEY))
        .containsExactly("a", "b", "a-copy", "gone", "html", "html-copy");
    // the copy gets the first row's boxes, exactly, and the distinct images those of a batch of a and b alone
    assertThat(out.get(2).<org.apache.spark.sql.Row>getList(out.get(2).fieldIndex(DetectionsSchema.DETECTIONS)))
        .isEqualTo(out.get(0).getList(out.get(0).fieldIndex(DetectionsSchema.DETECTIONS))).isNotEmpty();
    List<org.apache.spark.sql.Row> distinct = withSchema(PairDetections.detect(local.checkpoint().model(),
        local.shape(), batch.subList(0, 2), q));
    assertThat(out.subList(0, 2)).isEqualTo(distinct);
    assertThat((String) out.get(3).getAs(DetectionsSchema.STATUS)).isEqualTo("failed_to_download");
    for (org.apache.spark.sql.Row r : out.subList(4, 6)) {
      assertThat((String) r.getAs(DetectionsSchema.STATUS)).isEqualTo(PairStatus.FAILED_TO_DECODE.value());
      assertThat((String) r.getAs(DetectionsSchema.ERROR_MESSAGE)).isEqualTo("not a decodable image (25 bytes)");
    }
  }

  @Test
  void detectionOverAPairsDatasetKeepsEveryRowAndMatchesTheLocalPath() throws Exception {
    // the world's web pairs, two success rows whose bytes are no image and a decompression bomb (a pairs dataset
    // that is not ingest's), and StageWorld's failed rows
    List<StageWorld.Pair> web = new ArrayList<>(StageWorld.webPairs(world).subList(0, 40));
    web.add(new StageWorld.Pair("broken", "http://127.0.0.1:9/broken.jpg", "a red star",
        "<html>not an image</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    web.add(new StageWorld.Pair("bomb", "http://127.0.0.1:9/bomb.png", "a blue circle",
        io.sparkvlm.synth.SimulatedWebAccess.bombPng()));
    // rows that repeat an image (a bootstrapped dataset's kept texts), next to it and far from it, and the broken bytes
    // again: each gets the boxes (or the failure) of its image
    StageWorld.Pair repeated = web.get(3);
    web.add(4, new StageWorld.Pair("again-3", repeated.url(), "another text", repeated.image()));
    web.add(new StageWorld.Pair("again-3-later", repeated.url(), "a third text", repeated.image()));
    web.add(new StageWorld.Pair("broken-again", "http://127.0.0.1:9/broken.jpg", "a red star",
        "<html>not an image</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    String pairs = dir.resolve("pairs-for-detection").toString();
    StageWorld.pairs(spark, web, pairs);
    Path out = dir.resolve("pair-detections");
    List<String> queries = List.of("red star", "blue circle", "green square");
    List<String> settings = base("detect-pairs", "detect.pairs.checkpoint=\"" + detector + "\"",
        "detect.pairs.input=\"" + pairs + "\"", "detect.pairs.output=\"" + out + "\"",
        "detect.pairs.queries=[\"red star\", \"blue circle\", \"green square\"]", "detect.pairs.per-query=2",
        "detect.pairs.batch=6");
    String summary = run(new DetectPairsJob(), settings);

    List<org.apache.spark.sql.Row> rows = Datasets.read(spark, out.toString(), DetectionsSchema.SCHEMA)
        .collectAsList();
    Map<String, org.apache.spark.sql.Row> byKey = new HashMap<>();
    rows.forEach(r -> assertThat(byKey.put(r.getAs(DetectionsSchema.KEY), r)).as("a key twice").isNull());
    assertThat(byKey).as(summary).hasSize(web.size() + StageWorld.FAILED_ROWS);
    DatasetManifest manifest = Datasets.readManifest(out.toString(), CONF);
    assertThat(manifest.rows().byStatus()).containsEntry(PairStatus.SUCCESS.value(), 42L)
        .containsEntry(PairStatus.FAILED_TO_DECODE.value(), 3L)
        .containsEntry(PairStatus.FAILED_TO_DOWNLOAD.value(), (long) StageWorld.FAILED_ROWS);
    org.apache.spark.sql.Row broken = byKey.get("broken");
    assertThat((String) broken.getAs(DetectionsSchema.STATUS)).isEqualTo(PairStatus.FAILED_TO_DECODE.value());
    assertThat((String) broken.getAs(DetectionsSchema.ERROR_MESSAGE)).contains("not a decodable image");
    assertThat((Object) broken.getAs(DetectionsSchema.DETECTIONS)).isNull();
    org.apache.spark.sql.Row brokenAgain = byKey.get("broken-again");
    assertThat((String) brokenAgain.getAs(DetectionsSchema.STATUS)).isEqualTo(PairStatus.FAILED_TO_DECODE.value());
    assertThat((String) brokenAgain.getAs(DetectionsSchema.ERROR_MESSAGE))
        .isEqualTo(broken.getAs(DetectionsSchema.ERROR_MESSAGE));
    for (String again : List.of("again-3", "again-3-later")) {
      // equal to the first row's boxes; to float rounding only, as the rows may fall in batches of other sizes
      org.apache.spark.sql.Row r = byKey.get(again);
      assertThat((String) r.getAs(DetectionsSchema.STATUS)).isEqualTo(PairStatus.SUCCESS.value());
      List<org.apache.spark.sql.Row> found = r.getList(r.fieldIndex(DetectionsSchema.DETECTIONS));
      org.apache.spark.sql.Row first = byKey.get(repeated.key());
      List<org.apache.spark.sql.Row> expected = first.getList(first.fieldIndex(DetectionsSchema.DETECTIONS));
      assertThat(found).as(again).hasSameSizeAs(expected).isNotEmpty();
      for (int i = 0; i < found.size(); i++) {
        assertThat((String) found.get(i).getAs(DetectionsSchema.QUERY))
            .isEqualTo(expected.get(i).getAs(DetectionsSchema.QUERY));
        assertThat((double) found.get(i).getAs(DetectionsSchema.SCORE)).isCloseTo(
            expected.get(i).getAs(DetectionsSchema.SCORE), org.assertj.core.api.Assertions.within(1e-6));
        assertThat((double) found.get(i).getAs(DetectionsSchema.Y)).isCloseTo(
            expected.get(i).getAs(DetectionsSchema.Y), org.assertj.core.api.Assertions.within(1e-6));
      }
    }
    org.apache.spark.sql.Row bomb = byKey.get("bomb");
    assertThat((String) bomb.getAs(DetectionsSchema.STATUS)).isEqualTo(PairStatus.FAILED_TO_DECODE.value());
    assertThat((String) bomb.getAs(DetectionsSchema.ERROR_MESSAGE))
        .isEqualTo("too many pixels to decode (decompression bomb?): 40000x40000 > 89478485");
    org.apache.spark.sql.Row failed = byKey.get("failed-0");
    assertThat((String) failed.getAs(DetectionsSchema.STATUS)).isEqualTo(PairStatus.FAILED_TO_DOWNLOAD.value());
    assertThat((String) failed.getAs(DetectionsSchema.ERROR_MESSAGE)).isEqualTo("connection refused");

    Detector local = Detector.load("test", detector, Optional.empty(), CONF);
    double[][] embeddings = local.embed(queries);
    for (StageWorld.Pair p : StageWorld.webPairs(world).subList(0, 40)) {
      org.apache.spark.sql.Row r = byKey.get(p.key());
      assertThat((String) r.getAs(DetectionsSchema.STATUS)).isEqualTo(PairStatus.SUCCESS.value());
      assertThat((String) r.getAs(DetectionsSchema.URL)).isEqualTo(p.url());
      java.awt.image.BufferedImage image = io.sparkvlm.core.model.ClipInputs.decode(p.image());
      assertThat((int) r.getAs(DetectionsSchema.WIDTH)).isEqualTo(image.getWidth());
      List<org.apache.spark.sql.Row> found = r.getList(r.fieldIndex(DetectionsSchema.DETECTIONS));
      List<Detector.Found> expected = Detector.detect(local.checkpoint().model(), local.shape(),
          List.of(p.image()), List.of(new int[] {image.getWidth(), image.getHeight()}), embeddings, 2).get(0);
      assertThat(found).as("every query, 2 boxes each at most").hasSize(expected.size())
          .hasSizeBetween(queries.size(), 2 * queries.size());
      for (int i = 0; i < found.size(); i++) {
        org.apache.spark.sql.Row d = found.get(i);
        assertThat((String) d.getAs(DetectionsSchema.QUERY)).isEqualTo(queries.get(expected.get(i).query()));
        assertThat((double) d.getAs(DetectionsSchema.SCORE)).isCloseTo(expected.get(i).score(),
            org.assertj.core.api.Assertions.within(1e-6));
        assertThat((double) d.getAs(DetectionsSchema.X)).isCloseTo(expected.get(i).xywh()[0],
            org.assertj.core.api.Assertions.within(1e-6));
        assertThat((double) d.getAs(DetectionsSchema.BOX_WIDTH)).isCloseTo(expected.get(i).xywh()[2],
            org.assertj.core.api.Assertions.within(1e-6));
      }
    }

    // a score floor keeps exactly the boxes at or above it
    double floor = rows.stream().filter(r -> r.getAs(DetectionsSchema.DETECTIONS) != null)
        .flatMap(r -> r.<org.apache.spark.sql.Row>getList(r.fieldIndex(DetectionsSchema.DETECTIONS)).stream())
        .mapToDouble(d -> d.getAs(DetectionsSchema.SCORE)).sorted().skip(100).findFirst().orElseThrow();
    Path high = dir.resolve("pair-detections-high");
    List<String> floored = new ArrayList<>(settings);
    floored.addAll(List.of("detect.pairs.output=\"" + high + "\"", "detect.pairs.min-score=" + floor));
    run(new DetectPairsJob(), floored);
    long above = rows.stream().filter(r -> r.getAs(DetectionsSchema.DETECTIONS) != null)
        .flatMap(r -> r.<org.apache.spark.sql.Row>getList(r.fieldIndex(DetectionsSchema.DETECTIONS)).stream())
        .filter(d -> (double) d.getAs(DetectionsSchema.SCORE) >= floor).count();
    assertThat(spark.read().parquet(high.toString()).selectExpr("explode(" + DetectionsSchema.DETECTIONS + ")")
        .count()).isEqualTo(above).isLessThan(rows.size() * 6L);

    // reruns: skip-complete does nothing; the same output again without --overwrite is refused before any work
    List<String> again = new ArrayList<>(settings);
    again.add("output.skip-complete=true");
    assertThat(run(new DetectPairsJob(), again)).contains("skipped");
    assertThatThrownBy(() -> run(new DetectPairsJob(), settings)).isInstanceOf(DatasetError.class)
        .hasMessageContaining("already exists");
  }

  @Test
  void detectionOverPairsRefusesBadInputBeforeAnyWork() throws Exception {
    List<String> common = List.of("detect.pairs.checkpoint=\"" + detector + "\"",
        "detect.pairs.output=\"" + dir.resolve("refused-detections") + "\"");
    List<String> noQueries = new ArrayList<>(common);
    assertThatThrownBy(() -> run(new DetectPairsJob(), base("pairs-no-queries", noQueries.toArray(String[]::new))))
        .isInstanceOf(ConfigError.class).hasMessageContaining("detect.pairs.queries' is not set");
    List<String> twice = new ArrayList<>(common);
    twice.add("detect.pairs.queries=[\"red star\", \"red star\"]");
    assertThatThrownBy(() -> run(new DetectPairsJob(), base("pairs-twice", twice.toArray(String[]::new))))
        .isInstanceOf(ConfigError.class).hasMessageContaining("lists \"red star\" twice");
    List<String> notPairs = new ArrayList<>(common);
    notPairs.addAll(List.of("detect.pairs.queries=[\"red star\"]", "detect.pairs.input=\"" + clip + "\""));
    assertThatThrownBy(() -> run(new DetectPairsJob(), base("pairs-not-pairs", notPairs.toArray(String[]::new))))
        .isInstanceOf(DatasetError.class).hasMessageContaining("detect.pairs.input: Dataset at " + clip)
        .hasMessageContaining("no _manifest.json");
    assertThat(Files.exists(dir.resolve("refused-detections"))).isFalse();
  }

  @Test
  void badInputIsRefusedBeforeAnyWork() throws Exception {
    assertThatThrownBy(() -> run(new TrainDetectorJob(), base("bad-clip", "detect.train.clip=\"" + detector
        + "\""))).isInstanceOf(CheckpointError.class).hasMessageContaining("detect.train.clip")
        .hasMessageContaining("not a Clip");
    assertThatThrownBy(() -> run(new TrainDetectorJob(), base("bad-template",
        "detect.train.query-template=\"a photo\""))).isInstanceOf(ConfigError.class)
        .hasMessageContaining("must hold %s exactly once");
    assertThatThrownBy(() -> run(new TrainDetectorJob(), base("few-boxes", "detect.train.max-boxes=1")))
        .isInstanceOf(DatasetError.class).hasMessageContaining("more than detect.train.max-boxes = 1");
    assertThatThrownBy(() -> run(new TrainDetectorJob(), base("no-images", "detect.train.images=\""
        + dir.resolve("nowhere") + "\""))).isInstanceOf(DatasetError.class)
        .hasMessageContaining("images are not under detect.train.images");
    assertThatThrownBy(() -> run(new DetectJob(), base("detect-clip", "detect.dataset.checkpoint=\"" + clip
        + "\""))).isInstanceOf(CheckpointError.class).hasMessageContaining("not a Detector");
    // an instances file that is not there, or not JSON: named with its key
    assertThatThrownBy(() -> run(new TrainDetectorJob(), base("no-instances", "detect.train.instances=\""
        + dir.resolve("gone.json") + "\""))).isInstanceOf(ConfigError.class)
        .hasMessageContaining("Config key 'detect.train.instances' names " + dir.resolve("gone.json"));
    Files.writeString(dir.resolve("cut.json"), "{\"images\": [{\"id\": 1, ");
    assertThatThrownBy(() -> run(new DetectJob(), base("cut-instances", "detect.dataset.checkpoint=\"" + detector
        + "\"", "detect.dataset.instances=\"" + dir.resolve("cut.json") + "\""))).isInstanceOf(DatasetError.class)
        .hasMessageContaining(dir.resolve("cut.json") + " (detect.dataset.instances) is not one JSON value");
    assertThat(Files.exists(dir.resolve("bad-clip/checkpoints/detector"))).isFalse();
  }
}
