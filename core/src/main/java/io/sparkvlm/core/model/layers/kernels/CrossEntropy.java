package io.sparkvlm.core.model.layers.kernels;

/**
 * Weighted next-token cross-entropy over the rows of a logits buffer [rows, vocab]: row r contributes
 * {@code weight[r] * (logsumexp(logits[r]) - logits[r][target[r]])}. With {@code gradient}, the logits buffer is
 * overwritten by {@code factor * weight[r] * (softmax(logits[r]) - onehot(target[r]))}; rows of weight 0 get zeros
 * and no exponentials.
 */
public final class CrossEntropy {
  private CrossEntropy() {}

  /** The weighted sum of the rows' losses. */
  public static double apply(Buf logits, int[] target, double[] weight, int rows, int vocab, boolean gradient,
      double factor) {
    long profiled = OpProfile.start();
    try {
      double[] partial = new double[rows];
      if (logits.f != null) {
        float[] z = logits.f;
        Parallel.rows(rows, 4, (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int o = r * vocab;
            if (weight[r] == 0) {
              if (gradient) {
                java.util.Arrays.fill(z, o, o + vocab, 0f);
              }
              continue;
            }
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < vocab; j++) {
              max = Math.max(max, z[o + j]);
            }
            float sum = 0;
            for (int j = 0; j < vocab; j++) {
              sum += FastExp.exp(z[o + j] - max);
            }
            double lse = Math.log(sum) + max;
            partial[r] = weight[r] * (lse - z[o + target[r]]);
            if (gradient) {
              float inv = 1f / sum;
              float scale = (float) (factor * weight[r]);
              for (int j = 0; j < vocab; j++) {
                z[o + j] = scale * FastExp.exp(z[o + j] - max) * inv;
              }
              z[o + target[r]] -= scale;
            }
          }
        });
      } else {
        double[] z = logits.d;
        for (int r = 0; r < rows; r++) {
          int o = r * vocab;
          if (weight[r] == 0) {
            if (gradient) {
              java.util.Arrays.fill(z, o, o + vocab, 0.0);
            }
            continue;
          }
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < vocab; j++) {
            max = Math.max(max, z[o + j]);
          }
          double sum = 0;
          for (int j = 0; j < vocab; j++) {
            sum += Math.exp(z[o + j] - max);
          }
          double lse = Math.log(sum) + max;
          partial[r] = weight[r] * (lse - z[o + target[r]]);
          if (gradient) {
            double scale = factor * weight[r];
            for (int j = 0; j < vocab; j++) {
              z[o + j] = scale * Math.exp(z[o + j] - max) / sum;
            }
            z[o + target[r]] -= scale;
          }
        }
      }
      double total = 0;
      for (double p : partial) {
        total += p;
      }
      return total;
    } finally {
      OpProfile.stop("vocabulary softmax and cross-entropy", profiled);
    }
  }
}
