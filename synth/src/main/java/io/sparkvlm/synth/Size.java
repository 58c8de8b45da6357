package io.sparkvlm.synth;

import java.util.List;

/** Object sizes: a radius as a fraction of the grid cell, and the words captions use. */
public enum Size {
  SMALL(0.26, "small", "little", "tiny"),
  LARGE(0.44, "large", "big");

  private final double radiusOfCell;
  private final List<String> words;

  Size(double radiusOfCell, String... words) {
    this.radiusOfCell = radiusOfCell;
    this.words = List.of(words);
  }

  public double radiusOfCell() {
    return radiusOfCell;
  }

  public String word() {
    return words.get(0);
  }

  public List<String> words() {
    return words;
  }
}
