package io.sparkvlm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.cli.Demo;
import io.sparkvlm.core.dataset.DetectionInstances;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.detection.NonMaximumSuppression;
import io.sparkvlm.core.model.detection.PatchSimilarityBaseline;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.detect.DetectJob;
import io.sparkvlm.detect.Detector;
import io.sparkvlm.eval.DetectionResults;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code vlm bench detection}: the detector without a head (issue 17's baseline, {@link PatchSimilarityBaseline}) on
 * a finished demo run's CLIPs: every test image against every colour-shape combination as a query ("a photo of a
 * red star."), boxes of the query shape's mean training size, scored as {@code vlm eval detection} scores (AP per
 * category and per combination group: seen, unboxed, held out). On the driver, one process: 200 images.
 */
public final class DetectionBench {
  static final String TEMPLATE = "a photo of a %s.";
  static final int PER_QUERY = 3;

  private DetectionBench() {}

  public static int run(Path demoRun, Path json) throws Exception {
    return run(demoRun, List.of(), json);
  }

  /**
   * The baseline on the demo's CLIPs, then a row per trained detector: the demo's own ({@link Demo.Folders#detector})
   * when it exists, and each of {@code detectors}.
   */
  public static int run(Path demoRun, List<Path> detectors, Path json) throws Exception {
    Demo.Folders demo = new Demo.Folders(demoRun);
    Path train = demo.world().resolve(SyntheticWorld.DETECTION_TRAIN);
    Path test = demo.world().resolve(SyntheticWorld.DETECTION_TEST);
    for (Path needed : List.of(train, test, demo.clip())) {
      if (!Files.exists(needed)) {
        System.err.println("vlm bench detection: " + needed + " does not exist; it reads a finished demo run (run "
            + "./vlm demo first, or point --run at one)");
        return JobLauncher.USAGE;
      }
    }
    JsonNode trainBoxes = Json.MAPPER.readTree(train.toFile());
    JsonNode testBoxes = Json.MAPPER.readTree(test.toFile());
    Map<Integer, double[]> priorByCategory = meanBoxSize(trainBoxes);
    List<String> names = new ArrayList<>();
    List<Integer> categoryOf = new ArrayList<>();
    testBoxes.get(DetectionInstances.COMBINATIONS).forEach(c -> {
      names.add(c.get("name").asText());
      categoryOf.add(c.get("category_id").asInt());
    });
    BenchTable table = new BenchTable("open-vocabulary detection without a head: frozen CLIP patch-text "
        + "similarity, boxes of the category's mean training size (spark-vlm " + Versions.codeVersion() + ")");
    table.context("demo run", demoRun);
    table.context("test images / boxes", testBoxes.get("images").size() + " / " + testBoxes.get("annotations").size());
    table.context("queries", names.size() + " combinations, \"" + TEMPLATE + "\", " + PER_QUERY
        + " boxes each per image after NMS at IoU " + NonMaximumSuppression.IOU);
    Configuration conf = new Configuration();
    for (Path clip : List.of(demo.clip(), demo.clipRound1())) {
      if (!Files.exists(clip)) {
        continue;
      }
      ModelCheckpoints.Loaded loaded = ModelCheckpoints.load(clip.toString(), conf);
      ClipShape shape = loaded.as(ModelArchitecture.Clip.class, "--run").shape();
      ComputationGraph g = loaded.model();
      Tokenizer tok = loaded.requireTokenizer();
      List<int[]> queryTokens = names.stream().map(n -> ClipInputs.tokens(tok, String.format(TEMPLATE, n),
          shape.contextLength())).toList();
      double[][] queries = ClipEmbeddings.texts(g, shape, queryTokens, 64);
      double[][] prior = new double[names.size()][];
      double scale = shape.imageSize() / (double) testBoxes.get("images").get(0).get("width").asInt();
      for (int q = 0; q < names.size(); q++) {
        double[] p = priorByCategory.get(categoryOf.get(q));
        prior[q] = new double[] {p[0] * scale, p[1] * scale};
      }
      ArrayNode results = Json.MAPPER.createArrayNode();
      long start = System.nanoTime();
      for (JsonNode image : testBoxes.get("images")) {
        byte[] bytes = Files.readAllBytes(demo.world().resolve(image.get("file_name").asText()));
        double[][][] patches = ClipEmbeddings.patches(g, shape, List.of(ClipInputs.pixels(bytes,
            shape.visionTower())), 1);
        for (PatchSimilarityBaseline.Box b : PatchSimilarityBaseline.detect(patches[0], queries, prior,
            shape.imageSize(), PER_QUERY)) {
          ObjectNode r = results.addObject().put("image_id", image.get("id").asLong())
              .put("category_id", categoryOf.get(b.query())).put("score", b.score())
              .put(DetectionInstances.COMBINATION, names.get(b.query()));
          ArrayNode box = r.putArray("bbox");
          for (double v : b.xywh()) {
            box.add(v / scale);
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      DetectionResults scored = new DetectionResults(testBoxes, test.toString(), results, "baseline");
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("CLIP", demoRun.relativize(clip).toString() + " (" + shape.name() + ", " + loaded.manifest().step()
          + " steps)");
      putScores(row, scored);
      row.put("images/s", testBoxes.get("images").size() / seconds);
      table.add(row);
      System.err.println(table.render());
    }
    List<Path> trained = new ArrayList<>();
    if (Files.exists(demo.detector())) {
      trained.add(demo.detector());
    }
    trained.addAll(detectors);
    for (Path d : trained) {
      table.add(detectorRow(d, demoRun, demo.world(), testBoxes, test, names, conf));
      System.err.println(table.render());
    }
    ClipShape round0 = ModelCheckpoints.load(demo.clip().toString(), conf).as(ModelArchitecture.Clip.class, "--run")
        .shape();
    table.add(oracleRow(testBoxes, test, priorByCategory, round0.imageSize() / round0.patchSize()));
    table.printAndWrite(json);
    return JobLauncher.OK;
  }

  /** A trained detector (vlm detect train) on the same images and queries, through its own query template. */
  static Map<String, Object> detectorRow(Path checkpoint, Path demoRun, Path world, JsonNode testBoxes, Path test,
      List<String> names, Configuration conf) throws Exception {
    Detector detector = Detector.load("--detector", checkpoint.toString(), java.util.Optional.empty(), conf);
    ComputationGraph g = detector.checkpoint().model();
    double[][] queries = detector.embed(names);
    Map<String, Integer> categoryOf = DetectJob.categoryIds(testBoxes);
    ArrayNode results = Json.MAPPER.createArrayNode();
    long start = System.nanoTime();
    for (JsonNode image : testBoxes.get("images")) {
      byte[] bytes = Files.readAllBytes(world.resolve(image.get("file_name").asText()));
      List<Detector.Found> found = Detector.detect(g, detector.shape(), List.of(bytes), List.of(new int[] {
          image.get("width").asInt(), image.get("height").asInt()}), queries, PER_QUERY).get(0);
      DetectJob.results(image.get("id").asLong(), found, names, categoryOf).forEach(results::add);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    DetectionResults scored = new DetectionResults(testBoxes, test.toString(), results, "detector");
    String trainable = detector.checkpoint().manifest().config().path("detect").path("train").path("trainable")
        .asText("?");
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("CLIP", "detector " + (checkpoint.startsWith(demoRun) ? demoRun.relativize(checkpoint) : checkpoint)
        + " (" + detector.shape().name() + ", " + trainable + " trained, " + detector.checkpoint().manifest().step()
        + " steps, on " + Path.of(detector.clip().location()).getParent().getParent().getFileName() + ")");
    putScores(row, scored);
    row.put("images/s", testBoxes.get("images").size() / seconds);
    return row;
  }

  /**
   * The ceiling of boxes placed this way: for every true box, the box of the patch under its centre ({@code grid} x
   * {@code grid} patches) with its category's mean training size, scored 1, under its own combination. What
   * localisation alone allows.
   */
  static Map<String, Object> oracleRow(JsonNode testBoxes, Path test, Map<Integer, double[]> prior, int grid) {
    ArrayNode results = Json.MAPPER.createArrayNode();
    Map<Long, Integer> width = new LinkedHashMap<>();
    testBoxes.get("images").forEach(i -> width.put(i.get("id").asLong(), i.get("width").asInt()));
    for (JsonNode a : testBoxes.get("annotations")) {
      int size = width.get(a.get("image_id").asLong());
      double cell = size / (double) grid;
      JsonNode b = a.get("bbox");
      double cx = (Math.floor((b.get(0).asDouble() + b.get(2).asDouble() / 2) / cell) + 0.5) * cell;
      double cy = (Math.floor((b.get(1).asDouble() + b.get(3).asDouble() / 2) / cell) + 0.5) * cell;
      double[] p = prior.get(a.get("category_id").asInt());
      double x0 = Math.max(0, cx - p[0] / 2);
      double y0 = Math.max(0, cy - p[1] / 2);
      double x1 = Math.min(size, cx + p[0] / 2);
      double y1 = Math.min(size, cy + p[1] / 2);
      ObjectNode r = results.addObject().put("image_id", a.get("image_id").asLong())
          .put("category_id", a.get("category_id").asInt()).put("score", 1.0)
          .put(DetectionInstances.COMBINATION, a.get(DetectionInstances.COMBINATION).asText());
      r.putArray("bbox").add(x0).add(y0).add(x1 - x0).add(y1 - y0);
    }
    DetectionResults scored = new DetectionResults(testBoxes, test.toString(), results, "oracle");
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("CLIP", "oracle: the right patch of the " + grid + "x" + grid + " grid for every box, prior size");
    putScores(row, scored);
    return row;
  }

  /** The score columns every row has: category AP50 and AP, and AP50 per combination group. */
  static void putScores(Map<String, Object> row, DetectionResults scored) {
    row.put("category AP50", scored.byCategory().ap50());
    row.put("category AP", scored.byCategory().ap());
    scored.byGroup().forEach((group, r) -> row.put(group.name().toLowerCase(java.util.Locale.ROOT) + " AP50",
        r.ap50()));
  }

  /** Category id -> mean [width, height] of its training boxes. */
  static Map<Integer, double[]> meanBoxSize(JsonNode instances) {
    Map<Integer, double[]> sum = new LinkedHashMap<>();
    for (JsonNode a : instances.get("annotations")) {
      double[] s = sum.computeIfAbsent(a.get("category_id").asInt(), k -> new double[3]);
      s[0] += a.get("bbox").get(2).asDouble();
      s[1] += a.get("bbox").get(3).asDouble();
      s[2]++;
    }
    Map<Integer, double[]> mean = new LinkedHashMap<>();
    sum.forEach((c, s) -> mean.put(c, new double[] {s[0] / s[2], s[1] / s[2]}));
    return mean;
  }
}
