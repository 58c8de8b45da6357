package io.sparkvlm.eval.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How well a filter's keep/drop decisions match the ground truth (the synthetic world's noise labels).
 * <ul>
 *   <li>Overall, with "keep" as the positive class and a row's caption matching its image as the truth: precision
 *       (of the rows kept, the share that match), recall (of the rows that match, the share kept), F1, accuracy.
 *   <li>Per noise type: rows and the share kept. For a noise type whose captions do not match their images, the
 *       filter is also scored as a detector of that noise: positives are the type's rows, a detection is a drop,
 *       and the negatives are all matching rows; so {@code drop_precision} = dropped rows of the type / (those +
 *       dropped matching rows), {@code drop_recall} = the type's dropped share, {@code drop_f1} their harmonic
 *       mean.
 * </ul>
 * A ratio whose denominator is zero is 0 (scikit-learn's zero_division=0).
 */
public final class FilterQuality {
  private FilterQuality() {}

  /** One decision: the row's noise type, whether its caption matches the image, whether the filter kept it. */
  public record Decision(String noiseType, boolean matchesImage, boolean kept) {}

  /** A noise type's rows and share kept; drop detection scores for types whose captions do not match. */
  public record NoiseType(boolean matchesImage, long rows, double keptShare, Optional<Detection> drop) {}

  public record Detection(double precision, double recall, double f1) {}

  /**
   * @param kept rows kept; with none, precision is reported as 0 (it is undefined: nothing was kept), as
   *     scikit-learn's zero-division default
   */
  public record Result(long decisions, long kept, double precision, double recall, double f1, double accuracy,
      Map<String, NoiseType> perNoiseType) {

    /** Stable keys for metrics.json. */
    public Map<String, Double> metrics() {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("decisions", (double) decisions);
      out.put("kept", (double) kept);
      out.put("keep/precision", precision);
      out.put("keep/recall", recall);
      out.put("keep/f1", f1);
      out.put("accuracy", accuracy);
      perNoiseType.forEach((type, n) -> {
        out.put("noise/" + type + "/rows", (double) n.rows());
        out.put("noise/" + type + "/kept_share", n.keptShare());
        n.drop().ifPresent(d -> {
          out.put("noise/" + type + "/drop_precision", d.precision());
          out.put("noise/" + type + "/drop_recall", d.recall());
          out.put("noise/" + type + "/drop_f1", d.f1());
        });
      });
      return out;
    }
  }

  public static Result evaluate(List<Decision> decisions) {
    long keptMatching = 0;
    long keptOther = 0;
    long droppedMatching = 0;
    long droppedOther = 0;
    Map<String, long[]> perType = new TreeMap<>();          // kept, rows
    Map<String, Boolean> matches = new TreeMap<>();
    for (Decision d : decisions) {
      if (d.matchesImage()) {
        keptMatching += d.kept() ? 1 : 0;
        droppedMatching += d.kept() ? 0 : 1;
      } else {
        keptOther += d.kept() ? 1 : 0;
        droppedOther += d.kept() ? 0 : 1;
      }
      Boolean before = matches.put(d.noiseType(), d.matchesImage());
      if (before != null && before != d.matchesImage()) {
        throw new IllegalArgumentException("noise type '" + d.noiseType() + "' has rows that match their image and "
            + "rows that do not: one type is one or the other");
      }
      long[] c = perType.computeIfAbsent(d.noiseType(), k -> new long[2]);
      c[0] += d.kept() ? 1 : 0;
      c[1]++;
    }
    Map<String, NoiseType> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : perType.entrySet()) {
      long kept = e.getValue()[0];
      long rows = e.getValue()[1];
      boolean matching = matches.get(e.getKey());
      Optional<Detection> drop = Optional.empty();
      if (!matching) {
        long tp = rows - kept;
        double p = ratio(tp, tp + droppedMatching);
        double r = ratio(tp, rows);
        drop = Optional.of(new Detection(p, r, harmonic(p, r)));
      }
      out.put(e.getKey(), new NoiseType(matching, rows, ratio(kept, rows), drop));
    }
    double precision = ratio(keptMatching, keptMatching + keptOther);
    double recall = ratio(keptMatching, keptMatching + droppedMatching);
    return new Result(decisions.size(), keptMatching + keptOther, precision, recall, harmonic(precision, recall),
        ratio(keptMatching + droppedOther, decisions.size()), out);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0 : a / (double) b;
  }

  private static double harmonic(double p, double r) {
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
}
