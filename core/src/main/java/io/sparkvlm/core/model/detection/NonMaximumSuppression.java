package io.sparkvlm.core.model.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Greedy non-maximum suppression of one query's boxes, as the detectors and the baseline apply it. */
public final class NonMaximumSuppression {
  /** Two boxes of one query overlapping more than this: the lower-scored one is dropped. */
  public static final double IOU = 0.3;

  private NonMaximumSuppression() {}

  /**
   * {@code candidates} by descending score, each kept while its box ([x, y, w, h]) overlaps every kept one by at most
   * {@link #IOU}; at most {@code limit}.
   */
  public static <T> List<T> keep(List<T> candidates, ToDoubleFunction<T> score, Function<T, double[]> xywh,
      int limit) {
    List<T> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingDouble(score).reversed());
    List<T> kept = new ArrayList<>();
    for (T c : sorted) {
      if (kept.size() >= limit) {
        break;
      }
      double[] box = xywh.apply(c);
      if (kept.stream().allMatch(k -> iou(xywh.apply(k), box) <= IOU)) {
        kept.add(c);
      }
    }
    return kept;
  }

  /** (cx, cy, w, h) to [x, y, w, h]. */
  public static double[] xywh(double[] centreBox) {
    return new double[] {centreBox[0] - centreBox[2] / 2, centreBox[1] - centreBox[3] / 2, centreBox[2],
        centreBox[3]};
  }

  /** Intersection over union of two [x, y, w, h] boxes. */
  public static double iou(double[] a, double[] b) {
    double w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
    double h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
    if (w <= 0 || h <= 0) {
      return 0;
    }
    double inter = w * h;
    return inter / (a[2] * a[3] + b[2] * b[3] - inter);
  }
}
