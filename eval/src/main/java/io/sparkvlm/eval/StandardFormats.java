package io.sparkvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.HadoopConfs;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.eval.metrics.VqaAccuracy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * Readers for the formats users score with: COCO caption annotations ({@code images}, {@code annotations} with
 * {@code image_id} and {@code caption}) and results ({@code [{image_id, caption}]}); VQA v2 questions
 * ({@code questions} with {@code question_id}), annotations ({@code annotations} with {@code question_id},
 * {@code question_type}, {@code answer_type}, {@code answers}) and results ({@code [{question_id, answer}]}).
 * Files may be on any Hadoop path. Malformed files are errors that name the file and what is wrong.
 */
public final class StandardFormats {
  private StandardFormats() {}

  static JsonNode read(String location) {
    try {
      return Json.WHOLE_TREE.readValue(HadoopFiles.readAll(new Path(location), HadoopConfs.fromSystemProperties()));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + location + ": " + e.getMessage(), e);
    }
  }

  /** image id -> reference captions, in the order of the file's images. */
  public static Map<String, List<String>> cocoAnnotations(String location) {
    JsonNode root = read(location);
    JsonNode annotations = root.get("annotations");
    if (annotations == null || !annotations.isArray()) {
      throw new IllegalArgumentException(location + " is not COCO caption annotations: no 'annotations' array");
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (root.has("images")) {
      root.get("images").forEach(i -> out.put(i.get("id").asText(), new ArrayList<>()));
    }
    for (JsonNode a : annotations) {
      require(a, location, "image_id", "caption");
      requireText(a, location, "caption");
      out.computeIfAbsent(a.get("image_id").asText(), k -> new ArrayList<>()).add(a.get("caption").asText());
    }
    return out;
  }

  /** image id -> file_name from a COCO annotations file's {@code images}. */
  public static Map<String, String> cocoImageFiles(String location) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode images = read(location).get("images");
    if (images != null) {
      images.forEach(i -> {
        if (i.has("file_name")) {
          out.put(i.get("id").asText(), i.get("file_name").asText());
        }
      });
    }
    return out;
  }

  /**
   * The bytes of an image named relative to the annotations file's folder or one of its three parents (COCO files
   * name images relative to a root that varies); null when not found.
   */
  public static byte[] findImage(String annotationsFile, String fileName) {
    if (fileName == null) {
      return null;
    }
    java.nio.file.Path dir = java.nio.file.Path.of(annotationsFile).toAbsolutePath().getParent();
    for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
      java.nio.file.Path candidate = dir.resolve(fileName);
      if (java.nio.file.Files.isRegularFile(candidate)) {
        try {
          return java.nio.file.Files.readAllBytes(candidate);
        } catch (IOException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** image id -> the candidate caption; one per image. */
  public static Map<String, String> cocoResults(String location) {
    JsonNode root = read(location);
    if (!root.isArray()) {
      throw new IllegalArgumentException(location + " is not COCO caption results: expected [{image_id, caption}]");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode r : root) {
      require(r, location, "image_id", "caption");
      requireText(r, location, "caption");
      String id = r.get("image_id").asText();
      if (out.put(id, r.get("caption").asText()) != null) {
        throw new IllegalArgumentException(location + " has more than one caption for image " + id);
      }
    }
    return out;
  }

  public static List<VqaAccuracy.Question> vqaQuestions(String questionsFile, String annotationsFile) {
    JsonNode questions = read(questionsFile).get("questions");
    JsonNode annotations = read(annotationsFile).get("annotations");
    if (questions == null || annotations == null) {
      throw new IllegalArgumentException("VQA files need a 'questions' array (" + questionsFile
          + ") and an 'annotations' array (" + annotationsFile + ")");
    }
    Map<Long, JsonNode> byId = new LinkedHashMap<>();
    for (JsonNode a : annotations) {
      require(a, annotationsFile, "question_id", "question_type", "answer_type", "answers");
      byId.put(a.get("question_id").asLong(), a);
    }
    java.util.Set<Long> asked = new java.util.HashSet<>();
    questions.forEach(q -> asked.add(q.path("question_id").asLong()));
    List<Long> unasked = byId.keySet().stream().filter(id -> !asked.contains(id)).sorted().toList();
    if (!unasked.isEmpty()) {
      throw new IllegalArgumentException(annotationsFile + " has " + unasked.size() + " annotations for questions "
          + questionsFile + " does not have (e.g. " + unasked.get(0) + "); the official script scores every "
          + "annotated question, so the two files must hold the same questions");
    }
    List<VqaAccuracy.Question> out = new ArrayList<>();
    for (JsonNode q : questions) {
      long id = q.get("question_id").asLong();
      JsonNode a = byId.get(id);
      if (a == null) {
        throw new IllegalArgumentException(annotationsFile + " has no annotation for question " + id);
      }
      List<String> answers = new ArrayList<>();
      a.get("answers").forEach(x -> answers.add(x.get("answer").asText()));
      out.add(new VqaAccuracy.Question(id, a.get("question_type").asText(), a.get("answer_type").asText(), answers));
    }
    return out;
  }

  /** A VQA v2 question's image and text. */
  public record VqaQuestionText(String imageId, String question) {}

  /** question id -> its image id and text, from a VQA v2 questions file. */
  public static Map<Long, VqaQuestionText> vqaQuestionTexts(String questionsFile) {
    JsonNode questions = read(questionsFile).get("questions");
    if (questions == null) {
      throw new IllegalArgumentException("VQA files need a 'questions' array (" + questionsFile + ")");
    }
    Map<Long, VqaQuestionText> out = new LinkedHashMap<>();
    for (JsonNode q : questions) {
      require(q, questionsFile, "question_id", "image_id", "question");
      out.put(q.get("question_id").asLong(), new VqaQuestionText(q.get("image_id").asText(),
          q.get("question").asText()));
    }
    return out;
  }

  public static Map<Long, String> vqaResults(String location) {
    JsonNode root = read(location);
    if (!root.isArray()) {
      throw new IllegalArgumentException(location + " is not VQA results: expected [{question_id, answer}]");
    }
    Map<Long, String> out = new LinkedHashMap<>();
    for (JsonNode r : root) {
      require(r, location, "question_id", "answer");
      requireText(r, location, "answer");
      long id = r.get("question_id").asLong();
      if (out.put(id, r.get("answer").asText()) != null) {
        throw new IllegalArgumentException(location + " has more than one answer for question " + id);
      }
    }
    return out;
  }

  /** One row of the synthetic world's {@code ground-truth/web.jsonl}. */
  public record WebTruth(String url, String caption, String noise, boolean matchesImage, String fault,
      String image) {}

  /** url -> its ground truth, in file order, from the synthetic world's {@code ground-truth/web.jsonl}. */
  public static Map<String, WebTruth> webGroundTruth(String location) {
    Map<String, WebTruth> out = new LinkedHashMap<>();
    for (JsonLine l : jsonLines(location)) {
      JsonNode n = l.json();
      int line = l.number();
      requireAt(n, location, line, "url", "noise", "matches_image");
      String url = n.get("url").asText();
      if (out.put(url, new WebTruth(url, n.path("caption").asText(""), n.get("noise").asText(),
          n.get("matches_image").asBoolean(), n.path("fault").asText("NONE"), n.path("image").asText(null))) != null) {
        throw new IllegalArgumentException(location + " line " + line + ": URL " + url + " appears twice");
      }
    }
    return out;
  }

  /** A parsed line of a JSON Lines file and its number (from 1). */
  record JsonLine(int number, JsonNode json) {}

  /** The non-blank lines of a JSON Lines file, parsed; a line that is not a JSON object is an error naming it. */
  static List<JsonLine> jsonLines(String location) {
    return io.sparkvlm.core.io.JsonLines.read(new Path(location), HadoopConfs.fromSystemProperties(),
        IllegalArgumentException::new).stream().map(l -> new JsonLine(l.number(), l.json())).toList();
  }

  private static void requireAt(JsonNode node, String file, int line, String... fields) {
    for (String f : fields) {
      if (!node.has(f)) {
        throw new IllegalArgumentException(file + " line " + line + " has no '" + f + "'");
      }
    }
  }

  private static void require(JsonNode node, String file, String... fields) {
    for (String f : fields) {
      if (!node.has(f)) {
        throw new IllegalArgumentException(file + ": an entry has no '" + f + "': " + node);
      }
    }
  }

  /** A text field must be a string: a null or a list would be scored as the text "null" or "". */
  private static void requireText(JsonNode node, String file, String field) {
    if (!node.get(field).isTextual()) {
      throw new IllegalArgumentException(file + ": an entry's '" + field + "' is not a string: " + node);
    }
  }
}
