package io.sparkvlm.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.testing.SparkTestSessions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticWorldTest {
  static final int SCENES = 3000;
  @TempDir static Path dir;
  static Path world;
  static SynthConfig config;
  static Map<String, JsonNode> scenes = new HashMap<>();

  @BeforeAll
  static void generate() throws IOException {
    world = dir.resolve("world");
    config = Worlds.generate(world, "synth.scenes=" + SCENES, "synth.image-size=32", "synth.web.shard-size=500");
    for (String split : Splits.ALL) {
      for (JsonNode s : jsonl(world.resolve("scenes/" + split + ".jsonl"))) {
        scenes.put(s.get("id").asText(), s);
      }
    }
  }

  static List<JsonNode> jsonl(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) {
        out.add(Json.MAPPER.readTree(line));
      }
    }
    return out;
  }

  static JsonNode json(String relative) throws IOException {
    return Json.MAPPER.readTree(world.resolve(relative).toFile());
  }

  @Test
  void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Path c = dir.resolve("c");
    Worlds.generate(a, "synth.scenes=120");
    Worlds.generate(b, "synth.scenes=120");
    Worlds.generate(c, "synth.scenes=120", "synth.seed=8");
    List<Path> files = files(a);
    assertThat(files).hasSizeGreaterThan(120);
    assertThat(files(b)).isEqualTo(files);
    for (Path f : files) {
      assertThat(Files.readAllBytes(b.resolve(f))).as(f.toString()).isEqualTo(Files.readAllBytes(a.resolve(f)));
    }
    // Parquet part names are random: compare the rows instead.
    assertThat(urls(b).collectAsList()).isEqualTo(urls(a).collectAsList());
    assertThat(Files.readAllBytes(c.resolve("images/web/web-000000.jpg")))
        .isNotEqualTo(Files.readAllBytes(a.resolve("images/web/web-000000.jpg")));
  }

  /**
   * A world is made beside its folder and moved in whole: one already there is refused unless overwritten, and then
   * replaced with none of its files left (a smaller world's shards only); a folder of something else is refused.
   */
  @Test
  void aWorldIsReplacedWholeOnlyWhenOverwrittenAndOtherFoldersAreRefused() throws IOException {
    Path w = dir.resolve("replaced");
    Worlds.generate(w, "synth.scenes=120", "synth.web.shard-size=10");
    long bigShards = files(w).stream().filter(f -> f.toString().endsWith(".tar")).count();
    assertThatThrownBy(() -> Worlds.generate(w, "synth.scenes=60"))
        .hasMessageContaining("A synthetic world already exists at").hasMessageContaining("--overwrite");
    Worlds.generate(w, "synth.scenes=60", "synth.web.shard-size=10", "output.overwrite=true");
    List<Path> after = files(w);
    Path fresh = dir.resolve("fresh-60");
    Worlds.generate(fresh, "synth.scenes=60", "synth.web.shard-size=10");
    assertThat(after).as("the same files as a world made in a new folder").isEqualTo(files(fresh));
    assertThat(after.stream().filter(f -> f.toString().endsWith(".tar")).count()).isLessThan(bigShards);
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".replaced."));
    }
    Path other = dir.resolve("not-a-world");
    Files.createDirectories(other);
    Files.writeString(other.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> Worlds.generate(other, "synth.scenes=60", "output.overwrite=true"))
        .hasMessageContaining("holds files but no synthetic world");
    assertThat(other.resolve("notes.txt")).hasContent("mine");
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(root::relativize)
          .filter(p -> !p.startsWith("web/urls.parquet")).sorted().toList();
    }
  }

  private static Dataset<Row> urls(Path root) {
    return SparkTestSessions.local().read().parquet(root.resolve(SyntheticWorld.URLS_PARQUET).toString())
        .orderBy("url");
  }

  @Test
  void splitsHaveTheConfiguredSizesAndHeldOutCombinationsOnlyInTest() throws IOException {
    Map<String, Integer> counts = SyntheticWorld.splitCounts(config);
    assertThat(counts).containsEntry("seed", 150).containsEntry("instruct", 300).containsEntry("test", 300)
        .containsEntry("web", 2250);
    Set<String> heldOut = new HashSet<>();
    Combo.HELD_OUT.forEach(h -> heldOut.add(h.words()));
    int heldOutInTest = 0;
    for (JsonNode s : scenes.values()) {
      for (JsonNode o : s.get("objects")) {
        boolean held = heldOut.contains(o.get("colour").asText() + " " + o.get("shape").asText());
        if (held) {
          assertThat(s.get("split").asText()).as(s.get("id").asText()).isEqualTo("test");
          heldOutInTest++;
        }
      }
      assertThat(s.get("objects").size()).isBetween(1, 4);
    }
    assertThat(heldOutInTest).isGreaterThan(30);
    JsonNode composition = json("eval/zeroshot/composition.json");
    assertThat(composition.get("held_out_classes")).hasSize(Combo.HELD_OUT.size());
  }

  @Test
  void noiseTypeFrequenciesAreWithinToleranceOfTheConfiguredRates() throws IOException {
    List<JsonNode> truth = jsonl(world.resolve(SyntheticWorld.WEB_TRUTH));
    assertThat(truth).hasSize(2250);
    Map<String, Integer> noise = new HashMap<>();
    Map<String, Integer> faults = new HashMap<>();
    for (JsonNode t : truth) {
      assertThat(world.resolve(t.get("image").asText())).isRegularFile();
      noise.merge(t.get("noise").asText(), 1, Integer::sum);
      faults.merge(t.get("fault").asText(), 1, Integer::sum);
    }
    // 4 standard errors of a binomial share with n = 2250 is at most 0.042
    for (NoiseType type : NoiseType.values()) {
      double expected = config.noise().get(type);
      double actual = noise.getOrDefault(ConfigReader.configName(type), 0) / (double) truth.size();
      assertThat(actual).as(type.toString()).isCloseTo(expected, within(4 * Math.sqrt(expected * (1 - expected)
          / truth.size()) + 1e-9));
    }
    for (WebFault fault : config.web().faults().keySet()) {
      double expected = config.web().faults().get(fault);
      double actual = faults.getOrDefault(fault.name(), 0) / (double) truth.size();
      assertThat(actual).as(fault.toString()).isCloseTo(expected, within(4 * Math.sqrt(expected * (1 - expected)
          / truth.size()) + 0.002));
    }
  }

  @Test
  void everyCleanCaptionIsConsistentWithItsSceneGraph() throws IOException {
    int checked = 0;
    for (String split : Splits.ALL) {
      for (JsonNode row : jsonl(world.resolve("captions/" + split + ".jsonl"))) {
        JsonNode scene = scenes.get(row.get("id").asText());
        assertThat(row.get("captions")).hasSize(config.captionsPerImage());
        for (JsonNode caption : row.get("captions")) {
          assertThat(CaptionChecker.problems(caption.asText(), scene)).as(caption.asText() + " / " + scene)
              .isEmpty();
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(SCENES * config.captionsPerImage());
  }

  @Test
  void webCaptionsAreRightOrWrongAsTheirNoiseLabelSays() throws IOException {
    Map<String, int[]> agree = new HashMap<>();
    for (JsonNode t : jsonl(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode scene = scenes.get(t.get("scene_id").asText());
      boolean consistent = CaptionChecker.problems(t.get("caption").asText(), scene).isEmpty();
      boolean labelledRight = t.get("matches_image").asBoolean();
      int[] a = agree.computeIfAbsent(t.get("noise").asText(), k -> new int[2]);
      a[consistent == labelledRight ? 0 : 1]++;
    }
    agree.forEach((noise, a) -> assertThat(a[1]).as(noise + " captions disagreeing with their label").isZero());
    assertThat(agree).containsKeys("correct", "terse", "wrong-colour", "wrong-count", "wrong-shape", "mismatched",
        "boilerplate", "empty-or-short");
  }

  /** The checker used on synthetic captions agrees with every web caption's noise label and every clean caption. */
  @Test
  void captionCheckJudgesEveryWebCaptionAsItsNoiseLabelSays() throws IOException {
    Map<String, int[]> agree = new HashMap<>();
    for (JsonNode t : jsonl(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode scene = scenes.get(t.get(SyntheticWorld.TRUTH_SCENE_ID).asText());
      CaptionCheck.Verdict v = CaptionCheck.judge(CaptionCheck.objects(scene), t.get("caption").asText());
      int[] a = agree.computeIfAbsent(t.get("noise").asText(), k -> new int[2]);
      a[(v == CaptionCheck.Verdict.RIGHT) == t.get("matches_image").asBoolean() ? 0 : 1]++;
    }
    agree.forEach((noise, a) -> assertThat(a[1]).as(noise + " captions judged against their label").isZero());
    assertThat(agree).containsKeys("correct", "terse", "wrong-colour", "wrong-count", "wrong-shape", "mismatched",
        "boilerplate", "empty-or-short");
    for (JsonNode row : jsonl(world.resolve("captions/" + Splits.SEED + ".jsonl"))) {
      for (JsonNode caption : row.get("captions")) {
        assertThat(CaptionCheck.judge(CaptionCheck.objects(scenes.get(row.get("id").asText())), caption.asText()))
            .as(caption.asText()).isEqualTo(CaptionCheck.Verdict.RIGHT);
      }
    }
  }

  @Test
  void everyVqaAnswerIsConsistentWithItsSceneGraph() throws IOException {
    JsonNode questions = json(SyntheticWorld.VQA_QUESTIONS);
    JsonNode annotations = json(SyntheticWorld.VQA_ANNOTATIONS);
    Map<Integer, JsonNode> byImage = new HashMap<>();
    scenes.values().forEach(s -> byImage.put(s.get("image_id").asInt(), s));
    Map<Long, String> questionText = new HashMap<>();
    for (JsonNode q : questions.get("questions")) {
      questionText.put(q.get("question_id").asLong(), q.get("question").asText());
    }
    assertThat(annotations.get("annotations").size()).isEqualTo(questions.get("questions").size())
        .isGreaterThan(600);
    Set<String> types = new HashSet<>();
    boolean sawNumberWord = false;
    for (JsonNode a : annotations.get("annotations")) {
      JsonNode scene = byImage.get(a.get("image_id").asInt());
      assertThat(scene.get("split").asText()).isEqualTo("test");
      String q = questionText.get(a.get("question_id").asLong());
      String truth = VqaTruth.answer(q, scene);
      assertThat(a.get("answers")).hasSize(10);
      for (JsonNode ans : a.get("answers")) {
        assertThat(VqaTruth.normalise(ans.get("answer").asText())).as(q + " -> " + ans).isEqualTo(truth);
        sawNumberWord |= ans.get("answer").asText().matches("[a-z]+") && a.get("answer_type").asText().equals("number");
      }
      assertThat(VqaTruth.normalise(a.get("multiple_choice_answer").asText())).isEqualTo(truth);
      types.add(a.get("answer_type").asText());
    }
    assertThat(types).containsExactlyInAnyOrder("yes/no", "number", "other");
    assertThat(sawNumberWord).as("answers vary like \"2\" / \"two\"").isTrue();
  }

  @Test
  void instructionsAreLlavaConversationsAboutExistingImages() throws IOException {
    JsonNode all = json(SyntheticWorld.INSTRUCT);
    assertThat(all.size()).isEqualTo(300);
    int multiTurn = 0;
    for (JsonNode c : all) {
      assertThat(Files.exists(world.resolve(c.get("image").asText()))).isTrue();
      JsonNode turns = c.get("conversations");
      assertThat(turns.size() % 2).isZero();
      for (int i = 0; i < turns.size(); i++) {
        assertThat(turns.get(i).get("from").asText()).isEqualTo(i % 2 == 0 ? "human" : "gpt");
        assertThat(turns.get(i).get("value").asText().contains("<image>")).isEqualTo(i == 0);
      }
      assertThat(turns.get(0).get("value").asText()).startsWith("<image>\n");
      multiTurn += turns.size() > 2 ? 1 : 0;
      JsonNode scene = scenes.get(c.get("id").asText());
      for (int i = 0; i + 1 < turns.size(); i += 2) {
        String question = turns.get(i).get("value").asText().replace("<image>\n", "");
        String reply = turns.get(i + 1).get("value").asText();
        if (!java.util.Arrays.asList(Instructions.DESCRIBE).contains(question)) {
          assertThat(VqaTruth.normalise(VqaTruth.shortAnswer(question, reply)))
              .as(question + " -> " + reply).isEqualTo(VqaTruth.answer(question, scene));
        } else {
          assertThat(CaptionChecker.problems(reply, scene)).as(reply).isEmpty();
        }
      }
    }
    assertThat(multiTurn).isGreaterThan(100);
  }

  @Test
  void everyFileIsReadable() throws IOException {
    // images decode at the configured size
    try (Stream<Path> images = Files.walk(world.resolve("images"))) {
      List<Path> all = images.filter(p -> p.toString().endsWith(".jpg")).toList();
      assertThat(all).hasSize(SCENES);
      for (Path p : all.subList(0, 50)) {
        BufferedImage img = ImageIO.read(p.toFile());
        assertThat(img.getWidth()).isEqualTo(32);
        assertThat(img.getHeight()).isEqualTo(32);
      }
    }
    // URL lists: Parquet and TSV with img2dataset's columns
    var spark = SparkTestSessions.local();
    Dataset<Row> parquet = spark.read().parquet(world.resolve(SyntheticWorld.URLS_PARQUET).toString());
    assertThat(parquet.columns()).containsExactly("url", "caption");
    assertThat(parquet.count()).isEqualTo(2250);
    Dataset<Row> tsv = spark.read().option("sep", "\t").option("header", "true")
        .csv(world.resolve(SyntheticWorld.URLS_TSV).toString());
    assertThat(tsv.columns()).containsExactly("url", "caption");
    assertThat(tsv.count()).isEqualTo(2250);
    assertThat(tsv.filter("url like 'http://127.0.0.1:8765/img/%.jpg'").count()).isEqualTo(2250);
    // WebDataset shards: KEY.jpg, KEY.txt, KEY.json per sample
    int samples = 0;
    try (Stream<Path> shards = Files.list(world.resolve(SyntheticWorld.SHARDS))) {
      List<Path> tars = shards.sorted().toList();
      assertThat(tars).hasSize(5);
      for (Path tar : tars) {
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
          TarArchiveEntry e;
          String key = null;
          while ((e = t.getNextTarEntry()) != null) {
            byte[] data = t.readAllBytes();
            String name = e.getName();
            if (name.endsWith(".jpg")) {
              key = name.substring(0, name.length() - 4);
              assertThat(ImageIO.read(new ByteArrayInputStream(data))).isNotNull();
              samples++;
            } else if (name.endsWith(".json")) {
              assertThat(name).isEqualTo(key + ".json");
              assertThat(Json.MAPPER.readTree(data).get("key").asText()).isEqualTo(key);
            } else {
              assertThat(name).isEqualTo(key + ".txt");
            }
          }
        }
      }
    }
    assertThat(samples).isEqualTo(2250);
    // evaluation files, all listed in suite.json (each entry a file that exists)
    JsonNode suite = json("suite.json");
    assertThat(suite.fieldNames()).toIterable().containsExactlyInAnyOrder("retrieval", "zero-shot", "probe-train",
        "captions", "vqa-questions", "vqa-annotations");
    suite.forEach(v -> (v.isArray() ? v : Json.MAPPER.createArrayNode().add(v)).forEach(f ->
        assertThat(world.resolve(f.asText())).isRegularFile()));
    assertThat(suite.get("zero-shot")).hasSize(3);
    // short-answer VQA for training: about instruct images only, each named in the images list
    JsonNode instructImages = json(SyntheticWorld.INSTRUCT_VQA_IMAGES);
    Map<String, String> fileOf = new HashMap<>();
    instructImages.get("images").forEach(i -> fileOf.put(i.get("id").asText(), i.get("file_name").asText()));
    JsonNode instructQuestions = json(SyntheticWorld.INSTRUCT_VQA_QUESTIONS).get("questions");
    assertThat(instructQuestions.size()).isGreaterThan(300);
    for (JsonNode q : instructQuestions) {
      assertThat(fileOf.get(q.get("image_id").asText())).startsWith("images/instruct/");
    }
    assertThat(json(SyntheticWorld.INSTRUCT_VQA_ANNOTATIONS).get("annotations")).hasSameSizeAs(instructQuestions);
    JsonNode coco = json(SyntheticWorld.COCO_CAPTIONS);
    assertThat(coco.get("images")).hasSize(300);
    assertThat(coco.get("annotations")).hasSize(300 * config.captionsPerImage());
    JsonNode shape = json("eval/zeroshot/shape.json");
    assertThat(shape.get("classes")).hasSize(Shape.values().length);
    assertThat(shape.get("samples").size()).isGreaterThan(100);
    for (JsonNode s : shape.get("samples")) {
      JsonNode scene = scenes.get(Path.of(s.get("image").asText()).getFileName().toString().replace(".jpg", ""));
      assertThat(scene.get("objects")).hasSize(1);
      assertThat(shape.get("classes").get(s.get("label").asInt()).asText())
          .isEqualTo(scene.get("objects").get(0).get("shape").asText());
    }
    // the probe's training set: the same task over the single-object scenes of every split but the test one
    JsonNode probe = json(SyntheticWorld.PROBE + "/shape.json");
    assertThat(probe.get("classes")).isEqualTo(shape.get("classes"));
    assertThat(probe.get("samples").size()).isGreaterThan(300);
    java.util.Set<String> probeSplits = new java.util.TreeSet<>();
    for (JsonNode s : probe.get("samples")) {
      probeSplits.add(Path.of(s.get("image").asText()).getParent().toString());
      JsonNode scene = scenes.get(Path.of(s.get("image").asText()).getFileName().toString().replace(".jpg", ""));
      assertThat(scene.get("objects")).hasSize(1);
      assertThat(probe.get("classes").get(s.get("label").asInt()).asText())
          .isEqualTo(scene.get("objects").get(0).get("shape").asText());
    }
    assertThat(probeSplits).containsExactly("images/instruct", "images/seed", "images/web");
    assertThat(world.resolve(SyntheticWorld.PROBE + "/colour.json")).exists();
    assertThat(jsonl(world.resolve(SyntheticWorld.RETRIEVAL))).hasSize(300);
    assertThat(jsonl(world.resolve(SyntheticWorld.SEED_PAIRS))).hasSize(150);
    JsonNode manifest = json(SyntheticWorld.MANIFEST);
    assertThat(manifest.at("/config/web/base_url").asText()).isEqualTo("http://127.0.0.1:8765");
    assertThat(manifest.at("/scenes_by_split/web").asInt()).isEqualTo(2250);
  }

  @Test
  void boxesEveryObjectInCocoDetectionFormatWithTheUnboxedCombinationsLeftOutOfTraining() throws IOException {
    JsonNode train = json(SyntheticWorld.DETECTION_TRAIN);
    JsonNode test = json(SyntheticWorld.DETECTION_TEST);
    assertThat(train.get("categories")).hasSize(Shape.values().length);
    Map<Integer, JsonNode> imageScene = new HashMap<>();
    scenes.values().forEach(sc -> imageScene.put(sc.get("image_id").asInt(), sc));
    for (JsonNode file : List.of(train, test)) {
      boolean training = file == train;
      long objects = 0;
      long unboxedInImages = 0;
      for (JsonNode image : file.get("images")) {
        JsonNode scene = imageScene.get(image.get("id").asInt());
        assertThat(scene.get("split").asText()).isIn(training ? List.of(Splits.SEED, Splits.INSTRUCT)
            : List.of(Splits.TEST));
        assertThat(image.get("file_name").asText()).isEqualTo(scene.get("image").asText());
        for (JsonNode o : scene.get("objects")) {
          objects++;
          if (isUnboxed(o.get("colour").asText() + " " + o.get("shape").asText())) {
            unboxedInImages++;
          }
        }
      }
      long annotations = file.get("annotations").size();
      if (training) {
        // the unboxed combinations are in the training images, only their boxes are left out
        assertThat(unboxedInImages).isPositive();
        assertThat(annotations).isEqualTo(objects - unboxedInImages);
      } else {
        assertThat(annotations).isEqualTo(objects);
      }
      for (JsonNode a : file.get("annotations")) {
        JsonNode b = a.get("bbox");
        assertThat(b.get(0).asDouble()).isBetween(0.0, 32.0);
        assertThat(b.get(1).asDouble()).isBetween(0.0, 32.0);
        assertThat(b.get(2).asDouble()).isPositive();
        assertThat(b.get(0).asDouble() + b.get(2).asDouble()).isLessThanOrEqualTo(32.0 + 1e-9);
        assertThat(a.get(io.sparkvlm.core.dataset.DetectionInstances.COMBINATION).asText())
            .isEqualTo(a.get(io.sparkvlm.core.dataset.DetectionInstances.COLOUR).asText() + " " + file.get("categories")
                .get(a.get("category_id").asInt() - 1).get("name").asText());
        if (training) {
          assertThat(isUnboxed(a.get(io.sparkvlm.core.dataset.DetectionInstances.COMBINATION).asText())).isFalse();
        }
      }
    }
  }

  @Test
  void anObjectsBoxHoldsEveryPixelItPaintsAndNoMore() {
    int size = 96;
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    for (int trial = 0; trial < 60; trial++) {
      SceneObject o = new SceneObject(Shape.values()[trial % Shape.values().length],
          Colour.RED, trial % 2 == 0 ? Size.SMALL : Size.LARGE, 1, 1, 0.2 + 0.6 * r.nextDouble(),
          0.2 + 0.6 * r.nextDouble(), 360 * r.nextDouble());
      Scene scene = new Scene("t", Splits.TEST, 1, 0x000000, 0, 0, List.of(o), java.util.Optional.empty());
      // no light gradient, no noise: every pixel brighter than black belongs to the object
      java.awt.image.BufferedImage image = new SceneRenderer(size).renderClean(scene);
      int minX = size;
      int minY = size;
      int maxX = -1;
      int maxY = -1;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          if ((image.getRGB(x, y) & 0xFFFFFF) != 0) {
            minX = Math.min(minX, x);
            minY = Math.min(minY, y);
            maxX = Math.max(maxX, x);
            maxY = Math.max(maxY, y);
          }
        }
      }
      double[] box = SceneRenderer.box(o, size);
      String what = o.shape() + " at " + o.x() + "," + o.y() + " rotated " + o.rotation();
      // painted pixels [minX, maxX + 1) against the box, within a pixel of anti-aliasing
      assertThat(minX).as(what).isCloseTo((int) Math.round(box[0]), org.assertj.core.api.Assertions.within(1));
      assertThat(minY).as(what).isCloseTo((int) Math.round(box[1]), org.assertj.core.api.Assertions.within(1));
      assertThat(maxX + 1).as(what).isCloseTo((int) Math.round(box[0] + box[2]),
          org.assertj.core.api.Assertions.within(1));
      assertThat(maxY + 1).as(what).isCloseTo((int) Math.round(box[1] + box[3]),
          org.assertj.core.api.Assertions.within(1));
    }
  }

  private static boolean isUnboxed(String combination) {
    return Combo.UNBOXED.stream().anyMatch(c -> c.words().equals(combination));
  }
}
