package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.io.LocalFolders;
import io.sparkvlm.core.runtime.Versions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the synthetic world into a folder: rendered scenes with scene graphs, clean captions, a noisy web
 * split served by the {@link SimulatedWeb}, a clean seed split, LLaVA-format instructions and held-out evaluation
 * files in standard formats. See docs/synthetic-world.md for the layout. Deterministic for a given config.
 */
public final class SyntheticWorld {
  private static final Logger LOG = LoggerFactory.getLogger(SyntheticWorld.class);

  public static final String MANIFEST = "world.json";
  public static final String WEB_TRUTH = "ground-truth/web.jsonl";
  /** Fields of a {@link #WEB_TRUTH} line that link a web URL to its scene. */
  public static final String TRUTH_URL = "url";
  public static final String TRUTH_SCENE_ID = "scene_id";
  /** A scene line's fields (scenes/SPLIT.jsonl): its id, its objects, and each object's canonical words. */
  public static final String SCENE_ID = "id";
  public static final String SCENE_OBJECTS = "objects";
  public static final String OBJECT_SHAPE = "shape";
  public static final String OBJECT_COLOUR = "colour";
  public static final String URLS_TSV = "web/urls.tsv";
  public static final String URLS_PARQUET = "web/urls.parquet";
  public static final String SHARDS = "web/shards";
  public static final String SEED_PAIRS = "seed/pairs.jsonl";
  public static final String INSTRUCT = "instruct/llava_instruct.json";
  public static final String ZEROSHOT = "eval/zeroshot";
  /** Linear-probe training sets (the seed, instruct and web splits), one per single-object zero-shot task. */
  public static final String PROBE = "eval/probe";
  public static final String RETRIEVAL = "eval/retrieval/test.jsonl";
  public static final String COCO_CAPTIONS = "eval/captions/captions_test.json";
  /** Every object's box, COCO detection format (DetectionSets): training boxes, and the test split's. */
  public static final String DETECTION_TRAIN = "detection/instances_train.json";
  public static final String DETECTION_TEST = "eval/detection/instances_test.json";
  public static final String VQA_QUESTIONS = "eval/vqa/questions_test.json";
  public static final String VQA_ANNOTATIONS = "eval/vqa/annotations_test.json";
  /** Short-answer VQA about the instruct split's images, for training (VQA v2 format). */
  public static final String INSTRUCT_VQA_QUESTIONS = "instruct/vqa/questions_instruct.json";
  public static final String INSTRUCT_VQA_ANNOTATIONS = "instruct/vqa/annotations_instruct.json";
  /** The instruct VQA's images by id (COCO format: {@code images} with {@code id} and {@code file_name}). */
  public static final String INSTRUCT_VQA_IMAGES = "instruct/vqa/images_instruct.json";
  /** The instruct split's clean captions, COCO format: brief captions for instruction tuning. */
  public static final String INSTRUCT_CAPTIONS = "instruct/captions_instruct.json";

  static final ObjectWriter LINE = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private SyntheticWorld() {}

  /** One generated scene with its clean captions. */
  public record Sample(Scene scene, List<String> captions) {}

  /** The scene graphs of a split, one JSON line per scene, relative to the world's folder. */
  public static String scenes(String split) {
    return "scenes/" + split + ".jsonl";
  }

  /** Counts of what was generated. */
  public record Summary(Map<String, Integer> scenesBySplit, Map<String, Integer> noise, Map<String, Integer> faults,
      long seconds) {}

  /**
   * Generates the world into a hidden sibling of {@code c.out()} and moves it into place whole, manifest included,
   * so a run that stops midway leaves no half world under an old manifest, and a smaller world leaves none of a
   * bigger one's files behind. A world already there is refused unless {@code c.overwrite()}; a folder that holds
   * something else is always refused.
   */
  public static Summary generate(SparkSession spark, SynthConfig c) throws IOException {
    Path target = Path.of(c.out()).toAbsolutePath().normalize();
    checkTarget(target, c.overwrite());
    Summary summary = LocalFolders.writeWhole(target, out -> generateInto(spark, c, out));
    LOG.info("synth: {} scenes {} in {}s at {}", summary.scenesBySplit().values().stream().mapToInt(i -> i).sum(),
        summary.scenesBySplit(), summary.seconds(), target);
    return summary;
  }

  /** Refuses a world already at {@code target} without overwrite, and a folder that holds anything else. */
  private static void checkTarget(Path target, boolean overwrite) throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new io.sparkvlm.core.dataset.DatasetError("synth.out " + target + " is a file, not a folder");
    }
    boolean empty;
    try (var entries = Files.list(target)) {
      empty = entries.findAny().isEmpty();
    }
    if (empty) {
      return;
    }
    if (!Files.exists(target.resolve(MANIFEST))) {
      throw new io.sparkvlm.core.dataset.DatasetError("synth.out " + target + " holds files but no synthetic world "
          + "(no " + MANIFEST + "): give synth.out a new or empty folder");
    }
    if (!overwrite) {
      throw new io.sparkvlm.core.dataset.DatasetError("A synthetic world already exists at " + target + ": pass "
          + "--overwrite (output.overwrite = true) to make it again, or output.skip-complete = true to keep it");
    }
  }

  private static Summary generateInto(SparkSession spark, SynthConfig c, Path out) throws IOException {
    long start = System.nanoTime();
    Files.createDirectories(out);
    Map<String, Integer> counts = splitCounts(c);
    List<String> splitOfIndex = new ArrayList<>();
    Map<String, Integer> localIndex = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    counts.forEach((split, n) -> {
      for (int i = 0; i < n; i++) {
        splitOfIndex.add(split);
        ids.add(String.format("%s-%06d", split, i));
      }
      localIndex.put(split, 0);
    });
    for (String split : Splits.ALL) {
      Files.createDirectories(out.resolve("images").resolve(split));
    }
    SceneSampler sampler = new SceneSampler(c.wordRate());
    SceneRenderer renderer = new SceneRenderer(c.imageSize());
    int total = ids.size();
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    List<Sample> samples = IntStream.range(0, total).parallel().mapToObj(i -> {
      SplittableRandom r = random(c.seed(), i, 0);
      Scene scene = sampler.sample(splitOfIndex.get(i), ids.get(i), i + 1, r);
      byte[] jpeg = io.sparkvlm.core.image.ImageCodecs.jpeg(renderer.render(scene, mix(c.seed(), i, 1)), c.jpegQuality());
      write(out.resolve(scene.imagePath()), jpeg);
      List<String> captions = Captioner.clean(scene, c.captionsPerImage(), random(c.seed(), i, 2));
      int n = done.incrementAndGet();
      if (n % 5000 == 0) {
        LOG.info("synth: {}/{} scenes rendered", n, total);
      }
      return new Sample(scene, captions);
    }).toList();

    Map<String, List<Sample>> bySplit = new LinkedHashMap<>();
    for (Sample s : samples) {
      bySplit.computeIfAbsent(s.scene().split(), k -> new ArrayList<>()).add(s);
    }
    for (Map.Entry<String, List<Sample>> e : bySplit.entrySet()) {
      writeLines(out.resolve(scenes(e.getKey())), e.getValue().stream()
          .map(s -> line(sceneJson(s.scene()))).toList());
      writeLines(out.resolve("captions/" + e.getKey() + ".jsonl"), e.getValue().stream()
          .map(s -> line(NODES.objectNode().put("id", s.scene().id()).put("image", s.scene().imagePath())
              .set("captions", strings(s.captions())))).toList());
    }
    List<Sample> webScenes = bySplit.getOrDefault(Splits.WEB, List.of());
    WebSplit.Result web = WebSplit.write(spark, out, webScenes, c);
    List<Sample> seed = bySplit.getOrDefault(Splits.SEED, List.of());
    List<Sample> instruct = bySplit.getOrDefault(Splits.INSTRUCT, List.of());
    List<Sample> test = bySplit.getOrDefault(Splits.TEST, List.of());
    writeSeed(out, seed);
    Instructions.write(out.resolve(INSTRUCT), instruct, c.seed());
    EvalSets.vqa(out, Splits.INSTRUCT, instruct, c.seed(), INSTRUCT_VQA_QUESTIONS, INSTRUCT_VQA_ANNOTATIONS,
        java.util.Optional.of(INSTRUCT_VQA_IMAGES));
    EvalSets.cocoCaptions(out.resolve(INSTRUCT_CAPTIONS), Splits.INSTRUCT, instruct);
    // the linear probe trains on every split but the test one: the seed split alone held 45 single-object scenes in
    // the demo's world, too few for 7 shapes (a probe below chance)
    List<Sample> probeTrain = new ArrayList<>(seed);
    probeTrain.addAll(instruct);
    probeTrain.addAll(webScenes);
    EvalSets.write(out, test, probeTrain, c.seed());
    List<Sample> boxedTrain = new ArrayList<>(seed);
    boxedTrain.addAll(instruct);
    DetectionSets.write(out, boxedTrain, test, c.imageSize());

    long seconds = Math.round((System.nanoTime() - start) / 1e9);
    Summary summary = new Summary(counts, web.noise(), web.faults(), seconds);
    ObjectNode manifest = NODES.objectNode();
    ObjectNode recorded = Json.MAPPER.valueToTree(c);
    recorded.remove("out"); // where the world is is not part of what it is (and would break byte-identity)
    recorded.remove("overwrite"); // nor is whether it replaced one
    manifest.set("config", recorded);
    manifest.set("scenes_by_split", Json.MAPPER.valueToTree(counts));
    manifest.set("web_noise", Json.MAPPER.valueToTree(web.noise()));
    manifest.set("web_faults", Json.MAPPER.valueToTree(web.faults()));
    ArrayNode heldOut = manifest.putArray("held_out_combinations");
    Combo.HELD_OUT.forEach(h -> heldOut.add(h.words()));
    ArrayNode unboxed = manifest.putArray("unboxed_combinations");
    Combo.UNBOXED.forEach(u -> unboxed.add(u.words()));
    manifest.put("spark_vlm", Versions.codeVersion());
    write(out.resolve(MANIFEST), Json.MAPPER.writeValueAsBytes(manifest));
    return summary;
  }

  static Map<String, Integer> splitCounts(SynthConfig c) {
    int seed = (int) Math.round(c.scenes() * c.seedShare());
    int instruct = (int) Math.round(c.scenes() * c.instructShare());
    int test = (int) Math.round(c.scenes() * c.testShare());
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put(Splits.WEB, c.scenes() - seed - instruct - test);
    counts.put(Splits.SEED, seed);
    counts.put(Splits.INSTRUCT, instruct);
    counts.put(Splits.TEST, test);
    return counts;
  }

  private static void writeSeed(Path out, List<Sample> seed) {
    writeLines(out.resolve(SEED_PAIRS), seed.stream().map(s -> line(NODES.objectNode()
        .put("id", s.scene().id()).put("image", s.scene().imagePath()).set("captions", strings(s.captions()))))
        .toList());
  }

  static ObjectNode sceneJson(Scene s) {
    ObjectNode n = NODES.objectNode();
    n.put(SCENE_ID, s.id()).put("split", s.split()).put("image_id", s.imageId()).put("image", s.imagePath());
    n.put("background", SceneSampler.backgroundName(s.background()));
    n.put("light_angle", Math.round(s.lightAngle() * 10) / 10.0);
    n.put("light_strength", Math.round(s.lightStrength() * 1000) / 1000.0);
    ArrayNode objects = n.putArray(SCENE_OBJECTS);
    for (SceneObject o : s.objects()) {
      objects.addObject().put(OBJECT_SHAPE, o.shape().word()).put(OBJECT_COLOUR, o.colour().word())
          .put("size", o.size().word()).put("row", o.row()).put("col", o.col()).put("place", o.place())
          .put("x", Math.round(o.x() * 1000) / 1000.0).put("y", Math.round(o.y() * 1000) / 1000.0)
          .put("rotation", Math.round(o.rotation() * 10) / 10.0);
    }
    s.word().ifPresentOrElse(w -> n.put("word", w), () -> n.putNull("word"));
    return n;
  }

  static ArrayNode strings(List<String> values) {
    ArrayNode a = NODES.arrayNode();
    values.forEach(a::add);
    return a;
  }

  static String line(Object node) {
    try {
      return LINE.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeLines(Path file, List<String> lines) {
    StringBuilder s = new StringBuilder();
    lines.forEach(l -> s.append(l).append('\n'));
    write(file, s.toString().getBytes(StandardCharsets.UTF_8));
  }

  static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /** A random stream for item {@code index} and purpose {@code stream}, independent of generation order. */
  static SplittableRandom random(long seed, long index, int stream) {
    return new SplittableRandom(mix(seed, index, stream));
  }

  static long mix(long seed, long index, int stream) {
    long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + stream * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The URL-list schema img2dataset users know: url and caption. */
  static final StructType URL_LIST = new StructType()
      .add("url", DataTypes.StringType, false)
      .add("caption", DataTypes.StringType, false);

  static void writeUrlParquet(SparkSession spark, Path out, List<String[]> rows) {
    List<Row> data = rows.stream().map(r -> RowFactory.create(r[0], r[1])).toList();
    Dataset<Row> df = spark.createDataFrame(data, URL_LIST).coalesce(1);
    df.write().mode(SaveMode.Overwrite).parquet(out.resolve(URLS_PARQUET).toString());
  }
}
