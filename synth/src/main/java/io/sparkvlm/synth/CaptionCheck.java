package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a caption is right about its scene, in the world's own words: each object it names ("two red circles", "a
 * large blue box", "circles", "three shapes") is checked against the scene graph with the {@link Captioner}'s
 * meaning. A counted phrase states the exact number of objects of that colour and shape; a plural without a count
 * states more than one; a phrase without a colour is about the shape alone. Sizes, places and relations are not
 * checked. Used to judge synthetic captions, whose words come from a captioner trained on the world's captions.
 */
public final class CaptionCheck {
  /** What a caption gets right or wrong: the first problem found, in the caption's order. */
  public enum Verdict {
    /** It names at least one object, and every object it names is in the scene as stated. */
    RIGHT,
    /** It names a shape the scene has, in a colour no object of that shape has. */
    WRONG_COLOUR,
    /** It names a shape the scene does not have. */
    WRONG_SHAPE,
    /** It names what the scene has, in another number. */
    WRONG_COUNT,
    /** It names no object (no shape word), so there is nothing to check. */
    NAMES_NO_OBJECT;

    /** How reports name the verdict: "wrong colour", "names no object". */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  /** Words for the whole scene's objects, counted as "three shapes". */
  private static final List<String> ANY_OBJECT = List.of("shape", "object");

  private CaptionCheck() {}

  /** The verdict on {@code caption} as a description of {@code scene}. */
  public static Verdict judge(Scene scene, String caption) {
    return judge(objects(scene), caption);
  }

  /** A scene's objects as colour-shape pairs. */
  public static List<Combo> objects(Scene scene) {
    return scene.objects().stream().map(o -> new Combo(o.colour(), o.shape())).toList();
  }

  /**
   * A scene's objects from its line in {@code scenes/<split>.jsonl}, as {@link SyntheticWorld} writes it: the
   * canonical colour and shape word of each of {@code objects}.
   */
  public static List<Combo> objects(JsonNode sceneLine) {
    JsonNode objects = sceneLine.path(SyntheticWorld.SCENE_OBJECTS);
    String id = sceneLine.path(SyntheticWorld.SCENE_ID).asText();
    if (!objects.isArray()) {
      throw new IllegalArgumentException("a scene line without an '" + SyntheticWorld.SCENE_OBJECTS + "' array: "
          + sceneLine);
    }
    List<Combo> out = new ArrayList<>();
    for (JsonNode o : objects) {
      String colour = o.path(SyntheticWorld.OBJECT_COLOUR).asText();
      String shape = o.path(SyntheticWorld.OBJECT_SHAPE).asText();
      out.add(new Combo(
          colour(colour).orElseThrow(() -> new IllegalArgumentException("unknown colour '" + colour + "' in scene "
              + id)),
          shape(shape).orElseThrow(() -> new IllegalArgumentException("unknown shape '" + shape + "' in scene "
              + id))));
    }
    return out;
  }

  /** The verdict on {@code caption} as a description of a scene with {@code objects}. */
  public static Verdict judge(List<Combo> objects, String caption) {
    List<String> t = tokens(caption);
    boolean named = false;
    for (int i = 0; i < t.size(); i++) {
      if (i > 0 && t.get(i - 1).equals("word")) {
        continue;                                     // "the word STAR written below" names no object
      }
      Optional<Noun> noun = noun(t.get(i));
      if (noun.isEmpty()) {
        continue;
      }
      int j = i - 1;
      Optional<Colour> colour = j >= 0 ? colour(t.get(j)) : Optional.empty();
      if (colour.isPresent()) {
        j--;
      }
      if (j >= 0 && isSizeWord(t.get(j))) {
        j--;
      }
      Optional<Integer> count = j >= 0 ? count(t.get(j)) : Optional.empty();
      Optional<Verdict> problem = check(objects, noun.get(), colour, count);
      if (noun.get().shape().isPresent()) {
        named = true;
      }
      if (problem.isPresent()) {
        return problem.get();
      }
    }
    return named ? Verdict.RIGHT : Verdict.NAMES_NO_OBJECT;
  }

  /** A shape word (or "shape"/"object" for any object: shape empty), singular or plural. */
  private record Noun(Optional<Shape> shape, boolean plural) {}

  private static Optional<Verdict> check(List<Combo> objects, Noun noun, Optional<Colour> colour,
      Optional<Integer> count) {
    long have;
    if (noun.shape().isEmpty()) {
      if (count.isEmpty()) {
        return Optional.empty();                      // "shapes" alone states nothing checkable
      }
      have = objects.size();
    } else {
      Shape shape = noun.shape().get();
      if (objects.stream().noneMatch(o -> o.shape() == shape)) {
        return Optional.of(Verdict.WRONG_SHAPE);
      }
      have = objects.stream().filter(o -> o.shape() == shape && colour.map(c -> c == o.colour()).orElse(true))
          .count();
      if (have == 0) {
        return Optional.of(Verdict.WRONG_COLOUR);
      }
    }
    boolean countRight = count.isPresent() ? have == count.get() : !noun.plural() || have > 1;
    return countRight ? Optional.empty() : Optional.of(Verdict.WRONG_COUNT);
  }

  /** Lower-case words; the two-word shape words ("plus sign") become one token. */
  static List<String> tokens(String caption) {
    String[] words = caption.toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", " ").trim().split(" +");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < words.length; i++) {
      if (words[i].isEmpty()) {
        continue;
      }
      if (i + 1 < words.length && noun(words[i] + " " + words[i + 1]).isPresent()) {   // "plus sign(s)"
        out.add(words[i] + " " + words[i + 1]);
        i++;
      } else {
        out.add(words[i]);
      }
    }
    return out;
  }

  private static Optional<Noun> noun(String w) {
    for (Shape s : Shape.values()) {
      for (String word : s.words()) {
        if (w.equals(word)) {
          return Optional.of(new Noun(Optional.of(s), false));
        }
        if (w.equals(Shape.plural(word))) {
          return Optional.of(new Noun(Optional.of(s), true));
        }
      }
    }
    for (String any : ANY_OBJECT) {
      if (w.equals(any) || w.equals(Shape.plural(any))) {
        return Optional.of(new Noun(Optional.empty(), w.equals(Shape.plural(any))));
      }
    }
    return Optional.empty();
  }

  private static Optional<Colour> colour(String w) {
    for (Colour c : Colour.values()) {
      if (c.word().equals(w)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The shape whose canonical word is {@code w} (as scene graphs name them). */
  private static Optional<Shape> shape(String w) {
    for (Shape s : Shape.values()) {
      if (s.word().equals(w)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static boolean isSizeWord(String w) {
    for (Size s : Size.values()) {
      if (s.words().contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** "a", "an", "single" and the number words. */
  private static Optional<Integer> count(String w) {
    if (w.equals("a") || w.equals("an") || w.equals("single")) {
      return Optional.of(1);
    }
    for (int n = 0; n < Captioner.NUMBERS.length; n++) {
      if (Captioner.NUMBERS[n].equals(w)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }
}
