package io.sparkvlm.eval.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How well a filter's keep/drop decisions match the ground truth (the synthetic world's noise labels): with "keep"
 * as the positive class, precision, recall and F1 overall, and per noise type the share of rows kept (for noise
 * types whose captions match their image that share should be high, for the others low).
 */
public final class FilterQuality {
  private FilterQuality() {}

  /** One decision: the row's noise type, whether its caption matches the image, whether the filter kept it. */
  public record Decision(String noiseType, boolean matchesImage, boolean kept) {}

  public static Map<String, Object> evaluate(List<Decision> decisions) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    Map<String, long[]> perType = new TreeMap<>();
    for (Decision d : decisions) {
      if (d.kept() && d.matchesImage()) {
        tp++;
      } else if (d.kept()) {
        fp++;
      } else if (d.matchesImage()) {
        fn++;
      } else {
        tn++;
      }
      long[] c = perType.computeIfAbsent(d.noiseType(), k -> new long[2]);
      c[0] += d.kept() ? 1 : 0;
      c[1]++;
    }
    double precision = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
    double recall = tp + fn == 0 ? 0 : tp / (double) (tp + fn);
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("precision", precision);
    out.put("recall", recall);
    out.put("f1", f1);
    out.put("accuracy", (tp + tn) / (double) Math.max(1, decisions.size()));
    Map<String, Double> kept = new LinkedHashMap<>();
    perType.forEach((k, c) -> kept.put(k, c[0] / (double) c[1]));
    out.put("kept_share_by_noise_type", kept);
    return out;
  }
}
