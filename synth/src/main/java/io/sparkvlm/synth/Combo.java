package io.sparkvlm.synth;

import java.util.List;

/** A colour-shape combination, e.g. red star. */
public record Combo(Colour colour, Shape shape) {

  /**
   * Combinations that never appear in the web, seed or instruct splits, only in test: the compositional /
   * open-vocabulary check (a model that knows "red" and "star" separately should still recognise a red star).
   */
  public static final List<Combo> HELD_OUT = List.of(
      new Combo(Colour.RED, Shape.STAR),
      new Combo(Colour.BLUE, Shape.TRIANGLE),
      new Combo(Colour.GREEN, Shape.HEXAGON),
      new Combo(Colour.PINK, Shape.SQUARE),
      new Combo(Colour.YELLOW, Shape.CROSS));

  /**
   * Combinations that the web, seed and instruct images show and their captions name, but whose boxes the detection
   * training annotations leave out (OWL-ViT's and ViLD's open-vocabulary setting: the CLIP has seen the words, the
   * detector never a box). None of them is held out.
   */
  public static final List<Combo> UNBOXED = List.of(
      new Combo(Colour.ORANGE, Shape.CIRCLE),
      new Combo(Colour.CYAN, Shape.DIAMOND),
      new Combo(Colour.PURPLE, Shape.STAR),
      new Combo(Colour.GREEN, Shape.TRIANGLE),
      new Combo(Colour.BLUE, Shape.CROSS));

  public String words() {
    return colour.word() + " " + shape.word();
  }
}
