package io.sparkvlm.core.model;

import java.util.SplittableRandom;

/**
 * BLIP's hard negatives for image-text matching, sampled from the contrastive (ITC) similarities of a batch:
 * for image i a text j with probability proportional to {@code softmax_j(logits[i][j]) + 1e-4}, and for text j an
 * image i with probability proportional to {@code softmax_i(logits[i][j]) + 1e-4}, where pairs of the same item
 * (equal ids: the positive itself, or another caption of the same image) have weight 0, as BLIP's
 * {@code weights.masked_fill_(mask, 0)}. The logits are ITC's scaled similarities (image-text cosine / temperature).
 */
public final class HardNegatives {
  /** BLIP's floor added to every softmax weight, so every other item keeps some chance. */
  static final double FLOOR = 1e-4;

  private HardNegatives() {}

  /** Per image, the index of its negative text; per text, the index of its negative image. */
  public record Picks(int[] textForImage, int[] imageForText) {}

  /** {@code logits[i][j]}: image i against text j, a square batch; {@code ids[k]}: the item of pair k. */
  public static Picks sample(double[][] logits, long[] ids, SplittableRandom random) {
    int n = logits.length;
    if (ids.length != n) {
      throw new IllegalArgumentException(ids.length + " ids for a batch of " + n);
    }
    int[] textForImage = new int[n];
    int[] imageForText = new int[n];
    double[] row = new double[n];
    for (int i = 0; i < n; i++) {
      if (logits[i].length != n) {
        throw new IllegalArgumentException("image-text logits must be square: row " + i + " has "
            + logits[i].length + " of " + n);
      }
      for (int j = 0; j < n; j++) {
        row[j] = logits[i][j];
      }
      textForImage[i] = draw(weights(row, ids, ids[i]), random, "image", i, ids[i]);
    }
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < n; i++) {
        row[i] = logits[i][j];
      }
      imageForText[j] = draw(weights(row, ids, ids[j]), random, "text", j, ids[j]);
    }
    return new Picks(textForImage, imageForText);
  }

  /** softmax(row) + FLOOR, zero where the id equals {@code self}. */
  static double[] weights(double[] row, long[] ids, long self) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] w = new double[row.length];
    for (int k = 0; k < row.length; k++) {
      w[k] = Math.exp(row[k] - max);
      sum += w[k];
    }
    for (int k = 0; k < row.length; k++) {
      w[k] = ids[k] == self ? 0 : w[k] / sum + FLOOR;
    }
    return w;
  }

  private static int draw(double[] w, SplittableRandom random, String kind, int index, long id) {
    double total = 0;
    for (double v : w) {
      total += v;
    }
    if (total == 0) {
      throw new IllegalArgumentException("No negative for " + kind + " " + index + ": every pair in the batch has "
          + "its id " + id + " (a matching batch needs at least two different items)");
    }
    double u = random.nextDouble() * total;
    int last = -1;
    for (int k = 0; k < w.length; k++) {
      if (w[k] > 0) {
        last = k;
        u -= w[k];
        if (u < 0) {
          return k;
        }
      }
    }
    return last;
  }
}
