package io.sparkvlm.core.model.detection;

import java.util.ArrayList;
import java.util.List;

/**
 * The detector without a detection head, the baseline of issue 17: each patch of a frozen CLIP is scored against
 * each text query by the cosine of its patch embedding and the query's text embedding; a patch's box is centred on
 * the patch with the query's prior size (the mean training box of the query's category); per query, boxes are kept
 * greedily by score while they overlap a kept one by at most {@link NonMaximumSuppression#IOU} (non-maximum suppression), at most
 * {@code perQuery} of them. What a head adds over this is where the box is and how large.
 */
public final class PatchSimilarityBaseline {

  private PatchSimilarityBaseline() {}

  /** A box in pixels, COCO's [x, y, width, height], for query {@code query} with its score. */
  public record Box(int query, double[] xywh, double score) {}

  /**
   * {@code patches}: [grid * grid][embed], unit rows, row-major over the patch grid; {@code queries}: [Q][embed], unit
   * rows; {@code priorSize}: [Q][2] width and height in pixels; {@code imageSize}: the image side in pixels.
   */
  public static List<Box> detect(double[][] patches, double[][] queries, double[][] priorSize, int imageSize,
      int perQuery) {
    int grid = (int) Math.round(Math.sqrt(patches.length));
    if (grid * grid != patches.length) {
      throw new IllegalArgumentException(patches.length + " patches do not make a square grid");
    }
    double cell = imageSize / (double) grid;
    List<Box> out = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      List<Box> candidates = new ArrayList<>();
      for (int p = 0; p < patches.length; p++) {
        double cx = (p % grid + 0.5) * cell;
        double cy = (p / grid + 0.5) * cell;
        double w = priorSize[q][0];
        double h = priorSize[q][1];
        double x0 = Math.max(0, cx - w / 2);
        double y0 = Math.max(0, cy - h / 2);
        double x1 = Math.min(imageSize, cx + w / 2);
        double y1 = Math.min(imageSize, cy + h / 2);
        candidates.add(new Box(q, new double[] {x0, y0, x1 - x0, y1 - y0}, dot(patches[p], queries[q])));
      }
      out.addAll(NonMaximumSuppression.keep(candidates, Box::score, Box::xywh, perQuery));
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
