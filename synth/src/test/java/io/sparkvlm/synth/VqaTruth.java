package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The answer to a synthetic-world question, worked out from the scene graph alone (for consistency tests). */
final class VqaTruth {
  private VqaTruth() {}

  static String answer(String question, JsonNode scene) {
    Matcher m;
    if (question.equals("How many objects are there?")) {
      return Integer.toString(scene.get("objects").size());
    }
    if ((m = Pattern.compile("How many (\\w+) are there\\?").matcher(question)).matches()) {
      String shape = CaptionChecker.shapeWord(m.group(1));
      int n = 0;
      for (JsonNode o : scene.get("objects")) {
        n += o.get("shape").asText().equals(shape) ? 1 : 0;
      }
      return Integer.toString(n);
    }
    if ((m = Pattern.compile("What color is the (\\w+)\\?").matcher(question)).matches()) {
      return unique(scene, "shape", m.group(1)).get("colour").asText();
    }
    if ((m = Pattern.compile("What shape is the (\\w+) object\\?").matcher(question)).matches()) {
      return unique(scene, "colour", m.group(1)).get("shape").asText();
    }
    if ((m = Pattern.compile("Is there an? (\\w+) (\\w+)\\?").matcher(question)).matches()) {
      for (JsonNode o : scene.get("objects")) {
        if (o.get("colour").asText().equals(m.group(1)) && o.get("shape").asText().equals(m.group(2))) {
          return "yes";
        }
      }
      return "no";
    }
    if ((m = Pattern.compile("Is the (\\w+) (\\w+) to the left of the (\\w+) (\\w+)\\?").matcher(question))
        .matches()) {
      JsonNode a = find(scene, m.group(1), m.group(2));
      JsonNode b = find(scene, m.group(3), m.group(4));
      return a.get("col").asInt() < b.get("col").asInt() ? "yes" : "no";
    }
    if (question.equals("What word is written in the image?")) {
      return scene.get("word").asText().toLowerCase(Locale.ROOT);
    }
    throw new AssertionError("unknown question: " + question);
  }

  private static JsonNode unique(JsonNode scene, String field, String value) {
    JsonNode found = null;
    for (JsonNode o : scene.get("objects")) {
      if (o.get(field).asText().equals(value)) {
        if (found != null) {
          throw new AssertionError("two objects with " + field + " " + value + " in " + scene);
        }
        found = o;
      }
    }
    if (found == null) {
      throw new AssertionError("no object with " + field + " " + value + " in " + scene);
    }
    return found;
  }

  private static JsonNode find(JsonNode scene, String colour, String shape) {
    for (JsonNode o : scene.get("objects")) {
      if (o.get("colour").asText().equals(colour) && o.get("shape").asText().equals(shape)) {
        return o;
      }
    }
    throw new AssertionError("no " + colour + " " + shape + " in " + scene);
  }

  /** The short answer a sentence reply gives: "There are 2 circles." -> 2, "Yes, ..." -> yes, ... */
  static String shortAnswer(String question, String reply) {
    Matcher m = Pattern.compile("^There (?:are|is) (no|one|\\d+) ").matcher(reply);
    if (m.find()) {
      return m.group(1).equals("no") ? "0" : m.group(1);
    }
    if (question.startsWith("Is ")) {
      return reply.startsWith("Yes,") ? "yes" : reply.startsWith("No,") ? "no" : reply;
    }
    if ((m = Pattern.compile("^The \\w+ is (\\w+)\\.$").matcher(reply)).find()) {
      return m.group(1); // colour
    }
    if ((m = Pattern.compile("^The \\w+ object is an? (\\w+)\\.$").matcher(reply)).find()) {
      return m.group(1); // shape
    }
    if ((m = Pattern.compile("^The word (\\w+) is written").matcher(reply)).find()) {
      return m.group(1);
    }
    return reply;
  }

  /** Enough of the VQA normalisation for our answers: case, punctuation, articles, number words. */
  static String normalise(String answer) {
    String a = answer.toLowerCase(Locale.ROOT).replaceAll("[.,!?]", "").trim();
    a = a.replaceAll("^(a|an|the) ", "");
    for (int i = 0; i < Captioner.NUMBERS.length; i++) {
      if (a.equals(Captioner.NUMBERS[i])) {
        return Integer.toString(i);
      }
    }
    return a;
  }
}
