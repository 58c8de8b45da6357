package io.sparkvlm.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/** Draws random scene graphs. Deterministic: the same random state gives the same scene. */
final class SceneSampler {
  /** Background colours (greys and muted tones, far from every object colour) and their names. */
  static final int[] BACKGROUNDS = {0xE6E6E6, 0xB4B4B4, 0x5E5E5E, 0x2E2E2E, 0xD9CDB8, 0x8E9AA6};
  static final String[] BACKGROUND_NAMES = {"light gray", "gray", "dark gray", "black", "beige", "slate"};

  /** Words that may be written in an image (for OCR questions). */
  static final List<String> WORDS = List.of("SALE", "OPEN", "STOP", "CAT", "DOG", "SUN", "MOON", "FISH", "TREE",
      "BOOK", "CAKE", "FROG", "STAR", "BLUE", "HELLO", "ZOO");

  private static final double[] COUNT_WEIGHTS = {0.35, 0.30, 0.20, 0.15};

  private final double wordRate;

  SceneSampler(double wordRate) {
    this.wordRate = wordRate;
  }

  static String backgroundName(int rgb) {
    for (int i = 0; i < BACKGROUNDS.length; i++) {
      if (BACKGROUNDS[i] == rgb) {
        return BACKGROUND_NAMES[i];
      }
    }
    throw new IllegalArgumentException("not a background: " + Integer.toHexString(rgb));
  }

  /**
   * A scene for {@code split}. Outside the test split no object is a held-out combination; in the test split a
   * share of scenes contains one, and half of the scenes have a single object (for zero-shot classification).
   */
  Scene sample(String split, String id, int imageId, SplittableRandom r) {
    boolean test = split.equals(Splits.TEST);
    Optional<String> word = r.nextDouble() < wordRate ? Optional.of(WORDS.get(r.nextInt(WORDS.size())))
        : Optional.empty();
    int rows = word.isPresent() ? Scene.GRID - 1 : Scene.GRID; // the bottom row holds the word
    int n = test && r.nextBoolean() ? 1 : 1 + pick(COUNT_WEIGHTS, r);
    List<int[]> cells = new ArrayList<>();
    for (int row = 0; row < rows; row++) {
      for (int col = 0; col < Scene.GRID; col++) {
        cells.add(new int[] {row, col});
      }
    }
    shuffle(cells, r);
    boolean wantHeldOut = test && r.nextDouble() < 0.3;
    List<SceneObject> objects = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Combo combo;
      if (wantHeldOut && i == 0) {
        combo = Combo.HELD_OUT.get(r.nextInt(Combo.HELD_OUT.size()));
      } else {
        do {
          combo = new Combo(Colour.values()[r.nextInt(Colour.values().length)],
              Shape.values()[r.nextInt(Shape.values().length)]);
        } while (Combo.HELD_OUT.contains(combo));
      }
      Size size = r.nextBoolean() ? Size.SMALL : Size.LARGE;
      int[] cell = cells.get(i);
      double cellSize = 1.0 / Scene.GRID;
      double slack = Math.max(0, cellSize / 2 - size.radiusOfCell() * cellSize) * 0.8;
      double x = (cell[1] + 0.5) * cellSize + (r.nextDouble() * 2 - 1) * slack;
      double y = (cell[0] + 0.5) * cellSize + (r.nextDouble() * 2 - 1) * slack;
      double rotation = combo.shape() == Shape.CIRCLE ? 0 : (r.nextDouble() * 2 - 1) * 15;
      objects.add(new SceneObject(combo.shape(), combo.colour(), size, cell[0], cell[1], x, y, rotation));
    }
    int background = BACKGROUNDS[r.nextInt(BACKGROUNDS.length)];
    return new Scene(id, split, imageId, background, r.nextDouble() * 360, 0.1 + r.nextDouble() * 0.3, objects,
        word);
  }

  static int pick(double[] weights, SplittableRandom r) {
    double u = r.nextDouble();
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i];
      if (u < acc) {
        return i;
      }
    }
    return weights.length - 1;
  }

  static <T> void shuffle(List<T> list, SplittableRandom r) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
