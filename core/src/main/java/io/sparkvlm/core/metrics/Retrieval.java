package io.sparkvlm.core.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Image-text retrieval from a similarity matrix (images x texts), several correct texts per image allowed: a query
 * scores at recall@k if any of its correct items is in its top k (CLIP_benchmark's zeroshot_retrieval); its rank
 * is the best (1-based) rank of a correct item. Ties are broken pessimistically: an item tied with a correct one
 * ranks before it, so a constant model does not look good.
 */
public final class Retrieval {
  private Retrieval() {}

  /**
   * @param similarity [image][text]
   * @param textImage for each text, the index of its image
   * @param ks the k of recall@k
   * @return image_to_text_R@k, text_to_image_R@k, mean_recall@k (their average, as DataComp), and mean and median
   *     ranks both ways
   */
  public static Map<String, Double> evaluate(double[][] similarity, int[] textImage, int... ks) {
    int images = similarity.length;
    int texts = textImage.length;
    double[] i2tRank = new double[images];
    for (int i = 0; i < images; i++) {
      int best = Integer.MAX_VALUE;
      for (int t = 0; t < texts; t++) {
        if (textImage[t] == i) {
          best = Math.min(best, rank(similarity[i], t));
        }
      }
      if (best == Integer.MAX_VALUE) {
        throw new IllegalArgumentException("image " + i + " has no text");
      }
      i2tRank[i] = best;
    }
    double[] t2iRank = new double[texts];
    for (int t = 0; t < texts; t++) {
      double[] column = new double[images];
      for (int i = 0; i < images; i++) {
        column[i] = similarity[i][t];
      }
      t2iRank[t] = rank(column, textImage[t]);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int k : ks) {
      double i2t = recallAt(i2tRank, k);
      double t2i = recallAt(t2iRank, k);
      out.put("image_to_text_R@" + k, i2t);
      out.put("text_to_image_R@" + k, t2i);
      out.put("mean_recall@" + k, (i2t + t2i) / 2);
    }
    out.put("image_to_text_mean_rank", mean(i2tRank));
    out.put("image_to_text_median_rank", median(i2tRank));
    out.put("text_to_image_mean_rank", mean(t2iRank));
    out.put("text_to_image_median_rank", median(t2iRank));
    return out;
  }

  /** 1-based rank of {@code target} in {@code scores}, descending, ties counted against it. */
  static int rank(double[] scores, int target) {
    int rank = 1;
    for (int j = 0; j < scores.length; j++) {
      if (j != target && scores[j] >= scores[target]) {
        rank++;
      }
    }
    return rank;
  }

  private static double recallAt(double[] ranks, int k) {
    int hits = 0;
    for (double r : ranks) {
      hits += r <= k ? 1 : 0;
    }
    return hits / (double) ranks.length;
  }

  static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
