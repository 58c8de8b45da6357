package io.sparkvlm.core.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Zero-shot classification as CLIP_benchmark computes it: a class embedding is the mean of its L2-normalised
 * prompt-template embeddings, renormalised ({@link #classEmbedding}); logits are image . class; reported are top-1
 * and top-5 accuracy and the mean per-class recall. Ties in the logits count against the true class.
 */
public final class ZeroShot {
  private ZeroShot() {}

  /** Mean of the L2-normalised rows, L2-normalised ([templates][dim] -> [dim]). */
  public static double[] classEmbedding(double[][] templateEmbeddings) {
    int d = templateEmbeddings[0].length;
    double[] mean = new double[d];
    for (double[] e : templateEmbeddings) {
      double[] n = normalise(e);
      for (int i = 0; i < d; i++) {
        mean[i] += n[i] / templateEmbeddings.length;
      }
    }
    return normalise(mean);
  }

  public static double[] normalise(double[] v) {
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = norm == 0 ? 0 : v[i] / norm;
    }
    return out;
  }

  /** top1, top5 and mean per-class recall from logits [sample][class] and true labels. */
  public static Map<String, Double> evaluate(double[][] logits, int[] labels, int classes) {
    int top1 = 0;
    int top5 = 0;
    int[] perClassHits = new int[classes];
    int[] perClassCount = new int[classes];
    for (int s = 0; s < logits.length; s++) {
      int rank = Retrieval.rank(logits[s], labels[s]);
      top1 += rank <= 1 ? 1 : 0;
      top5 += rank <= 5 ? 1 : 0;
      perClassCount[labels[s]]++;
      perClassHits[labels[s]] += rank <= 1 ? 1 : 0;
    }
    double recallSum = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      if (perClassCount[c] > 0) {
        recallSum += perClassHits[c] / (double) perClassCount[c];
        present++;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("acc1", top1 / (double) logits.length);
    out.put("acc5", top5 / (double) logits.length);
    out.put("mean_per_class_recall", recallSum / present);
    return out;
  }
}
