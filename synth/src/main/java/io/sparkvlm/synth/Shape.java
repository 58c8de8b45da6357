package io.sparkvlm.synth;

import java.util.List;

/** The shapes of the synthetic world, with the words captions may use for each (the first is canonical). */
public enum Shape {
  CIRCLE("circle", "disc"),
  SQUARE("square", "box"),
  TRIANGLE("triangle"),
  STAR("star"),
  HEXAGON("hexagon"),
  DIAMOND("diamond", "rhombus"),
  CROSS("cross", "plus sign");

  private final List<String> words;

  Shape(String... words) {
    this.words = List.of(words);
  }

  /** The canonical word, e.g. {@code circle}. */
  public String word() {
    return words.get(0);
  }

  /** Every word for this shape, canonical first. */
  public List<String> words() {
    return words;
  }

  /** Plural of {@code word}: crosses, plus signs, boxes. */
  public static String plural(String word) {
    if (word.endsWith("s") || word.endsWith("x")) {
      return word + "es";
    }
    return word + "s";
  }
}
