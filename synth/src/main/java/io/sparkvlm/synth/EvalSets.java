package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.clipeval.ClipEvalSets;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.synth.Questions.QA;
import io.sparkvlm.synth.SyntheticWorld.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Evaluation files for the test split, in the formats users already score with: zero-shot class lists with prompt
 * templates (CLIP_benchmark style), retrieval pairs, COCO caption annotations, VQA v2 questions and annotations.
 */
final class EvalSets {
  static final List<String> SHAPE_TEMPLATES = List.of("a photo of a {}.", "a drawing of a {}.", "a {} shape.",
      "an image of a {}.", "a picture with a {} in it.");
  static final List<String> COLOUR_TEMPLATES = List.of("a {} object.", "a photo of something {}.", "a {} shape.",
      "the color {}.");
  static final List<String> COMPOSITION_TEMPLATES = List.of("a photo of a {}.", "a {}.", "a drawing of a {}.");
  static final int QUESTIONS_PER_IMAGE = 3;

  private EvalSets() {}

  /**
   * The test split's sets; and, for a linear probe's training, the same single-object tasks over {@code probeTrain}
   * (the other splits' scenes, labelled from their scene graphs: a web image's noisy caption plays no part), in
   * {@code eval/probe/TASK.json}.
   */
  static void write(Path out, List<Sample> test, List<Sample> probeTrain, long seed) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<Scene> single = test.stream().map(Sample::scene).filter(s -> s.objects().size() == 1).toList();
    List<Scene> singleTrain = probeTrain.stream().map(Sample::scene).filter(s -> s.objects().size() == 1).toList();

    List<String> shapes = new ArrayList<>();
    for (Shape s : Shape.values()) {
      shapes.add(s.word());
    }
    List<String> colours = new ArrayList<>();
    for (Colour c : Colour.values()) {
      colours.add(c.word());
    }
    List<String> combos = new ArrayList<>();
    for (Colour c : Colour.values()) {
      for (Shape s : Shape.values()) {
        combos.add(new Combo(c, s).words());
      }
    }
    zeroShot(out, "shape", shapes, SHAPE_TEMPLATES, single, s -> s.objects().get(0).shape().ordinal());
    zeroShot(out, "colour", colours, COLOUR_TEMPLATES, single, s -> s.objects().get(0).colour().ordinal());
    probeTrain(out, "shape", shapes, singleTrain, s -> s.objects().get(0).shape().ordinal());
    probeTrain(out, "colour", colours, singleTrain, s -> s.objects().get(0).colour().ordinal());
    ObjectNode composition = zeroShot(out, "composition", combos, COMPOSITION_TEMPLATES, single,
        s -> s.objects().get(0).colour().ordinal() * Shape.values().length + s.objects().get(0).shape().ordinal());
    ArrayNode heldOut = composition.putArray("held_out_classes");
    Combo.HELD_OUT.forEach(h -> heldOut.add(h.words()));
    SyntheticWorld.write(out.resolve(SyntheticWorld.ZEROSHOT + "/composition.json"),
        Json.MAPPER.writeValueAsBytes(composition));

    List<String> retrieval = new ArrayList<>();
    for (Sample s : test) {
      Scene scene = s.scene();
      retrieval.add(SyntheticWorld.line(f.objectNode().put("image", scene.imagePath())
          .put("image_id", scene.imageId()).set("captions", SyntheticWorld.strings(s.captions()))));
    }
    SyntheticWorld.writeLines(out.resolve(SyntheticWorld.RETRIEVAL), retrieval);
    cocoCaptions(out.resolve(SyntheticWorld.COCO_CAPTIONS), "test", test);

    vqa(out, "test", test, seed, SyntheticWorld.VQA_QUESTIONS, SyntheticWorld.VQA_ANNOTATIONS,
        java.util.Optional.empty());
    suite(out);
  }

  /**
   * The clean captions of {@code samples} as a COCO captions file: the test split's (evaluation) and the instruct
   * split's (brief captions mixed into instruction tuning).
   */
  static void cocoCaptions(Path file, String split, List<Sample> samples) throws IOException {
    ObjectNode coco = JsonNodeFactory.instance.objectNode();
    coco.putObject("info").put("description", "spark-vlm synthetic world, " + split + " split").put("version", "1");
    coco.putArray("licenses");
    coco.put("type", "captions");
    ArrayNode images = coco.putArray("images");
    ArrayNode annotations = coco.putArray("annotations");
    int annotationId = 1;
    for (Sample s : samples) {
      Scene scene = s.scene();
      images.addObject().put("id", scene.imageId()).put("file_name", scene.imagePath());
      for (String caption : s.captions()) {
        annotations.addObject().put("id", annotationId++).put("image_id", scene.imageId()).put("caption", caption);
      }
    }
    SyntheticWorld.write(file, Json.MAPPER.writeValueAsBytes(coco));
  }

  /**
   * VQA v2 questions and annotations about the {@code split}'s scenes: up to three questions per image, ten human
   * answers each ({@link Questions}). Written for the test split (evaluation) and the instruct split (short-answer
   * training data, as LLaVA-1.5 mixes VQAv2's train split into instruction tuning).
   */
  static void vqa(Path out, String split, List<Sample> samples, long seed, String questionsFile,
      String annotationsFile, java.util.Optional<String> imagesFile) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode questions = f.objectNode();
    questions.putObject("info").put("description", "spark-vlm synthetic world VQA, " + split + " split");
    questions.put("task_type", "Open-Ended").put("data_type", "synthetic").put("data_subtype", split);
    questions.putObject("license");
    ArrayNode qs = questions.putArray("questions");
    ObjectNode annotations = f.objectNode();
    annotations.putObject("info").put("description", "spark-vlm synthetic world VQA, " + split + " split");
    annotations.put("data_type", "synthetic").put("data_subtype", split);
    annotations.putObject("license");
    ArrayNode anns = annotations.putArray("annotations");
    for (Sample s : samples) {
      Scene scene = s.scene();
      SplittableRandom r = SyntheticWorld.random(seed, scene.imageId(), 5);
      List<QA> about = Questions.about(scene, r);
      for (int i = 0; i < Math.min(QUESTIONS_PER_IMAGE, about.size()); i++) {
        QA qa = about.get(i);
        long questionId = scene.imageId() * 10L + i;
        qs.addObject().put("image_id", scene.imageId()).put("question", qa.question()).put("question_id", questionId);
        List<String> answers = Questions.humanAnswers(qa, r);
        ObjectNode ann = anns.addObject();
        ann.put("question_id", questionId).put("image_id", scene.imageId()).put("question_type", qa.questionType())
            .put("answer_type", qa.answerType()).put("multiple_choice_answer", mostCommon(answers));
        ArrayNode as = ann.putArray("answers");
        for (int k = 0; k < answers.size(); k++) {
          as.addObject().put("answer", answers.get(k)).put("answer_confidence", "yes").put("answer_id", k + 1);
        }
      }
    }
    SyntheticWorld.write(out.resolve(questionsFile), Json.MAPPER.writeValueAsBytes(questions));
    SyntheticWorld.write(out.resolve(annotationsFile), Json.MAPPER.writeValueAsBytes(annotations));
    if (imagesFile.isPresent()) {
      // VQA v2 names images by id only: a COCO-format list of the images' files
      ObjectNode images = f.objectNode();
      ArrayNode list = images.putArray("images");
      for (Sample s : samples) {
        list.addObject().put("id", s.scene().imageId()).put("file_name", s.scene().imagePath());
      }
      images.putArray("annotations");
      SyntheticWorld.write(out.resolve(imagesFile.get()), Json.MAPPER.writeValueAsBytes(images));
    }
  }

  /** {@code suite.json}: the files above, so {@code vlm eval model --suite WORLD} finds them. */
  private static void suite(Path out) throws IOException {
    ObjectNode suite = JsonNodeFactory.instance.objectNode();
    suite.put("retrieval", SyntheticWorld.RETRIEVAL);
    suite.set("zero-shot", SyntheticWorld.strings(List.of(SyntheticWorld.ZEROSHOT + "/shape.json",
        SyntheticWorld.ZEROSHOT + "/colour.json", SyntheticWorld.ZEROSHOT + "/composition.json")));
    suite.set("probe-train", SyntheticWorld.strings(List.of(SyntheticWorld.PROBE + "/shape.json",
        SyntheticWorld.PROBE + "/colour.json")));
    suite.put("captions", SyntheticWorld.COCO_CAPTIONS);
    suite.put("vqa-questions", SyntheticWorld.VQA_QUESTIONS);
    suite.put("vqa-annotations", SyntheticWorld.VQA_ANNOTATIONS);
    SyntheticWorld.write(out.resolve(ClipEvalSets.SUITE_FILE), Json.MAPPER.writerWithDefaultPrettyPrinter()
        .writeValueAsBytes(suite));
  }

  private static ObjectNode zeroShot(Path out, String task, List<String> classes, List<String> templates,
      List<Scene> scenes, java.util.function.ToIntFunction<Scene> label) throws IOException {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("task", task);
    n.set("classes", SyntheticWorld.strings(classes));
    n.set("templates", SyntheticWorld.strings(templates));
    ArrayNode samples = n.putArray("samples");
    for (Scene s : scenes) {
      samples.addObject().put("image", s.imagePath()).put("image_id", s.imageId()).put("label", label.applyAsInt(s));
    }
    SyntheticWorld.write(out.resolve(SyntheticWorld.ZEROSHOT + "/" + task + ".json"), Json.MAPPER.writeValueAsBytes(n));
    return n;
  }

  /** {@code eval/probe/TASK.json}: the task's classes and labelled samples, for training a linear probe. */
  private static void probeTrain(Path out, String task, List<String> classes, List<Scene> scenes,
      java.util.function.ToIntFunction<Scene> label) throws IOException {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("task", task);
    n.set("classes", SyntheticWorld.strings(classes));
    ArrayNode samples = n.putArray("samples");
    for (Scene s : scenes) {
      samples.addObject().put("image", s.imagePath()).put("image_id", s.imageId()).put("label", label.applyAsInt(s));
    }
    SyntheticWorld.write(out.resolve(SyntheticWorld.PROBE + "/" + task + ".json"), Json.MAPPER.writeValueAsBytes(n));
  }

  static String mostCommon(List<String> answers) {
    Map<String, Integer> counts = new HashMap<>();
    String best = answers.get(0);
    for (String a : answers) {
      int c = counts.merge(a, 1, Integer::sum);
      if (c > counts.get(best) || (c == counts.get(best) && a.compareTo(best) < 0)) {
        best = a;
      }
    }
    return best;
  }
}
