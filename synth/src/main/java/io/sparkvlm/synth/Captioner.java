package io.sparkvlm.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes captions from a scene graph: varied templates, shape and size synonyms and word order, mentioning counts,
 * colours, shapes, sizes, places, spatial relations, the background and the written word. Every clean caption is
 * true of its scene: a phrase with a count ("two red circles", "a blue box") states the exact number of objects of
 * that colour and shape, and relations and places are only stated about objects that are alone of their kind.
 */
public final class Captioner {
  static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
  private static final String[] PREFIXES = {"a picture of", "an image of", "a drawing of", "an illustration of",
      "a rendering of"};

  private Captioner() {}

  /** Objects of one colour and shape. {@code size} is present when they all have the same size. */
  public record Group(Colour colour, Shape shape, int count, Optional<Size> size) {}

  public static List<Group> groups(Scene scene) {
    Map<Combo, List<SceneObject>> byCombo = new LinkedHashMap<>();
    for (SceneObject o : scene.objects()) {
      byCombo.computeIfAbsent(new Combo(o.colour(), o.shape()), k -> new ArrayList<>()).add(o);
    }
    List<Group> out = new ArrayList<>();
    byCombo.forEach((combo, objects) -> {
      Set<Size> sizes = new LinkedHashSet<>();
      objects.forEach(o -> sizes.add(o.size()));
      out.add(new Group(combo.colour(), combo.shape(), objects.size(),
          sizes.size() == 1 ? Optional.of(sizes.iterator().next()) : Optional.empty()));
    });
    return out;
  }

  /** "two red circles", "a large blue box", "an orange star". */
  static String phrase(Group g, boolean withSize, SplittableRandom r) {
    return phrase(g, withSize, pick(g.shape().words(), r), r);
  }

  private static String phrase(Group g, boolean withSize, String shapeWord, SplittableRandom r) {
    StringBuilder words = new StringBuilder();
    if (withSize && g.size().isPresent()) {
      words.append(pick(g.size().get().words(), r)).append(' ');
    }
    words.append(g.colour().word()).append(' ');
    words.append(g.count() == 1 ? shapeWord : Shape.plural(shapeWord));
    String rest = words.toString();
    return (g.count() == 1 ? article(rest) : NUMBERS[g.count()]) + " " + rest;
  }

  static String article(String nextWords) {
    return "aeiou".indexOf(Character.toLowerCase(nextWords.charAt(0))) >= 0 ? "an" : "a";
  }

  /** "A, B and C". */
  static String join(List<String> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
  }

  static String list(Scene scene, boolean withSizes, SplittableRandom r) {
    List<Group> groups = new ArrayList<>(groups(scene));
    SceneSampler.shuffle(groups, r);
    List<String> phrases = new ArrayList<>();
    for (Group g : groups) {
      phrases.add(phrase(g, withSizes, r));
    }
    return join(phrases);
  }

  /** {@code n} distinct clean captions ("human-annotated"). */
  public static List<String> clean(Scene scene, int n, SplittableRandom r) {
    Set<String> out = new LinkedHashSet<>();
    int attempts = 0;
    while (out.size() < n && attempts++ < n * 20) {
      out.add(capitalise(template(scene, r.nextInt(6), r)));
    }
    return new ArrayList<>(out);
  }

  private static String template(Scene scene, int which, SplittableRandom r) {
    String bg = SceneSampler.backgroundName(scene.background());
    return switch (which) {
      case 0 -> list(scene, r.nextBoolean(), r);
      case 1 -> pick(PREFIXES, r) + " " + list(scene, r.nextBoolean(), r);
      case 2 -> list(scene, r.nextBoolean(), r) + " on a " + bg + " background";
      case 3 -> relation(scene, r).orElseGet(() -> list(scene, true, r));
      case 4 -> scene.objects().size() == 1
          ? "a single " + list(scene, true, r).replaceFirst("^an? ", "")
          : NUMBERS[scene.objects().size()] + " shapes: " + list(scene, r.nextBoolean(), r);
      default -> scene.word().map(w -> list(scene, false, r) + " with the word " + w + " written below")
          .orElseGet(() -> list(scene, false, r) + " on a " + bg + " background");
    };
  }

  /**
   * A spatial relation or a place, stated only about objects that are alone of their colour and shape (so "a red
   * circle" names exactly one object).
   */
  static Optional<String> relation(Scene scene, SplittableRandom r) {
    List<SceneObject> unique = new ArrayList<>();
    for (SceneObject o : scene.objects()) {
      if (scene.count(o.colour(), o.shape()) == 1) {
        unique.add(o);
      }
    }
    if (unique.isEmpty()) {
      return Optional.empty();
    }
    SceneSampler.shuffle(unique, r);
    SceneObject a = unique.get(0);
    if (unique.size() >= 2 && r.nextDouble() < 0.7) {
      SceneObject b = unique.get(1);
      List<String> relations = new ArrayList<>();
      if (a.col() < b.col()) {
        relations.add("to the left of");
      }
      if (a.col() > b.col()) {
        relations.add("to the right of");
      }
      if (a.row() < b.row()) {
        relations.add("above");
      }
      if (a.row() > b.row()) {
        relations.add("below");
      }
      return Optional.of(single(a, r) + " " + pick(relations, r) + " " + single(b, r));
    }
    String place = a.place();
    return Optional.of(single(a, r) + (place.equals("center") ? " in the center"
        : place.contains(" ") ? " in the " + place + " corner" : " at the " + place));
  }

  /** "a large red circle" for one object. */
  static String single(SceneObject o, SplittableRandom r) {
    String words = (r.nextBoolean() ? pick(o.size().words(), r) + " " : "") + o.colour().word() + " "
        + pick(o.shape().words(), r);
    return article(words) + " " + words;
  }

  /** Correct but terse, as much alt-text is: "red circle", "circles". */
  public static String terse(Scene scene, SplittableRandom r) {
    SceneObject o = scene.objects().get(r.nextInt(scene.objects().size()));
    return r.nextBoolean() ? o.colour().word() + " " + o.shape().word()
        : scene.count(o.shape()) > 1 ? Shape.plural(o.shape().word()) : o.shape().word();
  }

  /** A long description for "describe the image in detail" instructions. */
  public static String detailed(Scene scene) {
    StringBuilder s = new StringBuilder();
    int n = scene.objects().size();
    s.append("The image shows ").append(n == 1 ? "one object" : NUMBERS[n] + " objects").append(" on a ")
        .append(SceneSampler.backgroundName(scene.background())).append(" background: ");
    List<String> groups = new ArrayList<>();
    SplittableRandom unused = new SplittableRandom(0);
    for (Group g : groups(scene)) {
      groups.add(phrase(g, false, g.shape().word(), unused));
    }
    s.append(join(groups)).append(". ");
    for (SceneObject o : scene.objects()) {
      String words = o.size().word() + " " + o.colour().word() + " " + o.shape().word();
      String place = o.place();
      if (scene.count(o.colour(), o.shape()) == 1) {
        s.append(capitalise(article(words) + " " + words)).append(" is ")
            .append(place.equals("center") ? "in the center" : "at the " + place).append(". ");
      }
    }
    scene.word().ifPresent(w -> s.append("The word ").append(w).append(" is written at the bottom. "));
    return s.toString().trim();
  }

  static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  static <T> T pick(List<T> items, SplittableRandom r) {
    return items.get(r.nextInt(items.size()));
  }

  static <T> T pick(T[] items, SplittableRandom r) {
    return items[r.nextInt(items.length)];
  }
}
