package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Checks a caption against a scene graph (as written in scenes/*.jsonl), independently of the code that wrote the
 * caption: every "[count] [size] colour shape" phrase must be true (a count is exact; no count means at least one;
 * a size must be the size of every such object), every stated relation, place, background and word must hold.
 * Returns the problems found; none means consistent.
 */
final class CaptionChecker {
  private CaptionChecker() {}

  record Mention(String colour, String shape, int count, String size, int start, int end) {}

  static List<String> problems(String caption, JsonNode scene) {
    List<String> problems = new ArrayList<>();
    String text = caption.toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", " ").replaceAll("\\s+", " ").trim();
    List<String> t = new ArrayList<>(Arrays.asList(text.split(" ")));
    List<Mention> mentions = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      String colour = t.get(i);
      if (colourWord(colour) == null) {
        continue;
      }
      if (i + 1 < t.size() && t.get(i + 1).equals("background")) {
        if (i > 0) {
          String bg = (i >= 2 && (t.get(i - 1).equals("gray")) ? t.get(i - 2) + " " : "") + t.get(i - 1)
              + " " + colour;
          problems.add("colour word used as background: " + bg);
        }
        continue;
      }
      int j = i + 1;
      String shape = null;
      if (j < t.size()) {
        String w = t.get(j);
        String two = j + 1 < t.size() ? w + " " + t.get(j + 1) : "";
        if (two.equals("plus sign") || two.equals("plus signs")) {
          shape = "cross";
          j += 2;
        } else {
          shape = shapeWord(w);
          j += 1;
        }
      }
      if (shape == null) {
        continue; // e.g. "the color red" in other contexts
      }
      int k = i - 1;
      String size = null;
      if (k >= 0 && sizeWord(t.get(k)) != null) {
        size = sizeWord(t.get(k));
        k--;
      }
      int count = -1;
      if (k >= 0) {
        count = countWord(t.get(k));
      }
      mentions.add(new Mention(colourWord(colour), shape, count, size, Math.max(k, 0), j));
    }
    for (Mention m : mentions) {
      List<JsonNode> matching = new ArrayList<>();
      for (JsonNode o : scene.get("objects")) {
        if (o.get("colour").asText().equals(m.colour()) && o.get("shape").asText().equals(m.shape())) {
          matching.add(o);
        }
      }
      if (matching.isEmpty()) {
        problems.add("no " + m.colour() + " " + m.shape());
        continue;
      }
      if (m.count() > 0 && m.count() != matching.size()) {
        problems.add(m.count() + " " + m.colour() + " " + m.shape() + " stated, " + matching.size() + " present");
      }
      if (m.size() != null) {
        for (JsonNode o : matching) {
          if (!o.get("size").asText().equals(m.size())) {
            problems.add(m.size() + " " + m.colour() + " " + m.shape() + " stated, one is " + o.get("size").asText());
          }
        }
      }
    }
    // relations between consecutive mentions: "A to the left of B", "A above B", ...
    for (int a = 0; a + 1 < mentions.size(); a++) {
      Mention x = mentions.get(a);
      Mention y = mentions.get(a + 1);
      String between = String.join(" ", t.subList(x.end(), Math.max(x.end(), y.start() + 1)));
      JsonNode ox = only(scene, x);
      JsonNode oy = only(scene, y);
      if (ox == null || oy == null) {
        if (between.matches(".*\\b(left of|right of|above|below)\\b.*")) {
          problems.add("relation about objects that are not unique: " + between);
        }
        continue;
      }
      int dc = ox.get("col").asInt() - oy.get("col").asInt();
      int dr = ox.get("row").asInt() - oy.get("row").asInt();
      if (between.contains("left of") && !(dc < 0)) {
        problems.add("not left of: " + caption);
      }
      if (between.contains("right of") && !(dc > 0)) {
        problems.add("not right of: " + caption);
      }
      if (between.matches(".*\\babove\\b.*") && !(dr < 0)) {
        problems.add("not above: " + caption);
      }
      if (between.matches(".*\\bbelow\\b.*") && !(dr > 0)) {
        problems.add("not below: " + caption);
      }
    }
    // place: "... in the top left corner", "... is at the left": the words right after a unique object
    for (int i = 0; i < mentions.size(); i++) {
      Mention m = mentions.get(i);
      int stop = i + 1 < mentions.size() ? mentions.get(i + 1).start() : t.size();
      String tail = String.join(" ", t.subList(Math.min(m.end(), stop), stop)).replaceFirst("^is ", "")
          .replaceFirst(" (a|an)$", "");
      java.util.regex.Matcher place = java.util.regex.Pattern.compile(
          "^(?:in|at) the (top left|top right|bottom left|bottom right|top|bottom|left|right|center)(?: corner)?$")
          .matcher(tail);
      if (place.matches()) {
        JsonNode o = only(scene, m);
        if (o == null || !o.get("place").asText().equals(place.group(1))) {
          problems.add("place '" + place.group(1) + "' wrong for " + m.colour() + " " + m.shape() + ": " + caption);
        }
      }
    }
    // background: "on a light gray background"
    java.util.regex.Matcher bg = java.util.regex.Pattern.compile("\\bon a ([a-z ]+?) background").matcher(text);
    while (bg.find()) {
      if (!scene.get("background").asText().equals(bg.group(1))) {
        problems.add("background " + bg.group(1) + " stated, " + scene.get("background").asText() + " present");
      }
    }
    java.util.regex.Matcher word = java.util.regex.Pattern.compile("the word ([a-z]+)").matcher(text);
    while (word.find()) {
      if (scene.get("word").isNull() || !scene.get("word").asText().toLowerCase(Locale.ROOT).equals(word.group(1))) {
        problems.add("word " + word.group(1) + " stated, " + scene.get("word") + " present");
      }
    }
    if (mentions.isEmpty() && !text.isEmpty()) {
      // terse captions such as "circles": the shape must be there
      String shape = shapeWord(t.get(t.size() - 1));
      if (shape == null || !hasShape(scene, shape)) {
        problems.add("mentions nothing in the scene: " + caption);
      }
    }
    if (text.isEmpty()) {
      problems.add("empty");
    }
    return problems;
  }

  private static JsonNode only(JsonNode scene, Mention m) {
    JsonNode found = null;
    for (JsonNode o : scene.get("objects")) {
      if (o.get("colour").asText().equals(m.colour()) && o.get("shape").asText().equals(m.shape())) {
        if (found != null) {
          return null;
        }
        found = o;
      }
    }
    return found;
  }

  private static boolean hasShape(JsonNode scene, String shape) {
    for (JsonNode o : scene.get("objects")) {
      if (o.get("shape").asText().equals(shape)) {
        return true;
      }
    }
    return false;
  }

  static String colourWord(String w) {
    for (Colour c : Colour.values()) {
      if (c.word().equals(w)) {
        return w;
      }
    }
    return null;
  }

  static String shapeWord(String w) {
    for (Shape s : Shape.values()) {
      for (String word : s.words()) {
        if (word.equals(w) || Shape.plural(word).equals(w)) {
          return s.word();
        }
      }
    }
    return null;
  }

  static String sizeWord(String w) {
    for (Size s : Size.values()) {
      if (s.words().contains(w)) {
        return s.word();
      }
    }
    return null;
  }

  static int countWord(String w) {
    if (w.equals("a") || w.equals("an") || w.equals("single") || w.equals("one")) {
      return 1;
    }
    for (int i = 2; i < Captioner.NUMBERS.length; i++) {
      if (Captioner.NUMBERS[i].equals(w)) {
        return i;
      }
    }
    return -1;
  }
}
