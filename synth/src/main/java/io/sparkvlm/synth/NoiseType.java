package io.sparkvlm.synth;

/**
 * What a web caption is, relative to its image (the ground truth that only eval reads). Mirrors real alt-text:
 * mostly right, often terse, sometimes wrong in one attribute, sometimes about another image or about nothing.
 */
public enum NoiseType {
  /** A correct, complete caption. */
  CORRECT(true),
  /** Correct but terse: "red circle", "circles". */
  TERSE(true),
  /** One colour is wrong. */
  WRONG_COLOUR(false),
  /** One count is wrong. */
  WRONG_COUNT(false),
  /** One shape is wrong. */
  WRONG_SHAPE(false),
  /** The caption of another image. */
  MISMATCHED(false),
  /** File names, "click to enlarge", stock-photo text. */
  BOILERPLATE(false),
  /** Empty or one or two characters. */
  EMPTY_OR_SHORT(false);

  private final boolean matchesImage;

  NoiseType(boolean matchesImage) {
    this.matchesImage = matchesImage;
  }

  /** Whether the caption is true of its image: what an ideal filter keeps. */
  public boolean matchesImage() {
    return matchesImage;
  }
}
