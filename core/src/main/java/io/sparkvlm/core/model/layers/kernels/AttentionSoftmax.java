package io.sparkvlm.core.model.layers.kernels;

/**
 * The softmax of scaled attention scores with the masks applied, over groups of [queries, keys] score matrices
 * (one group per batch row and head: {@code groups = batch * heads}, group g belongs to batch row g / heads):
 * <pre>
 *   p[g, i, j] = exp(scale * s[g, i, j] - m) / sum over allowed j'   for allowed keys j, else 0
 * </pre>
 * A key is allowed when its padding mask (per batch row; 1 = token) is set and, if causal, j <= i. A query row
 * with no allowed key gets all zeros. Backward: {@code ds = scale * p * (dp - sum_j dp * p)}.
 */
public final class AttentionSoftmax {
  private static final int GRAIN = 1;

  private AttentionSoftmax() {}

  /** {@code keyMask} is [batch, keys] (1 = token) or null; probabilities into {@code p}. */
  public static void forward(Buf s, Buf p, Buf keyMask, int groups, int heads, int queries, int keys, double scale,
      boolean causal) {
    long profiled = OpProfile.start();
    try {
      if (s.f != null) {
        float sc = (float) scale;
        Parallel.rows(groups, GRAIN, (g0, g1) -> {
          float[] keep = new float[keys];
          float[] z = s.f;
          float[] out = p.f;
          for (int g = g0; g < g1; g++) {
            int b = g / heads;
            // keep[j]: 1 for a key that is a token, 0 for padding
            if (keyMask == null) {
              java.util.Arrays.fill(keep, 1f);
            } else {
              System.arraycopy(keyMask.f, b * keys, keep, 0, keys);
            }
            int from = g * queries * keys;
            // three passes, so the exponentials run as one long loop over the group, which the JIT vectorises
            // (a row of 65 keys is too short for its vector loop): shift by the row maximum, exponentiate,
            // normalise with the masked keys set to 0
            for (int i = 0; i < queries; i++) {
              int o = from + i * keys;
              int last = causal ? Math.min(keys, i + 1) : keys;
              float max = rowMax(z, o, keep, last, sc);
              for (int j = 0; j < last; j++) {
                out[o + j] = z[o + j] * sc - max;
              }
              for (int j = last; j < keys; j++) {
                out[o + j] = 0f;
              }
            }
            for (int e = from, to = from + queries * keys; e < to; e++) {
              out[e] = FastExp.exp(out[e]);
            }
            for (int i = 0; i < queries; i++) {
              int o = from + i * keys;
              int last = causal ? Math.min(keys, i + 1) : keys;
              float inv = 1f / Math.max(maskedSum(out, o, keep, last), Float.MIN_NORMAL);
              for (int j = 0; j < last; j++) {
                out[o + j] *= keep[j] * inv;
              }
              for (int j = last; j < keys; j++) {
                out[o + j] = 0f;
              }
            }
          }
        });
      } else {
        for (int g = 0; g < groups; g++) {
          int b = g / heads;
          for (int i = 0; i < queries; i++) {
            int o = (g * queries + i) * keys;
            int last = causal ? Math.min(keys, i + 1) : keys;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < last; j++) {
              if (keyMask == null || keyMask.d[b * keys + j] != 0) {
                max = Math.max(max, s.d[o + j] * scale);
              }
            }
            double sum = 0;
            for (int j = 0; j < keys; j++) {
              boolean ok = j < last && (keyMask == null || keyMask.d[b * keys + j] != 0);
              double e = ok ? Math.exp(s.d[o + j] * scale - max) : 0;
              p.d[o + j] = e;
              sum += e;
            }
            for (int j = 0; j < keys; j++) {
              p.d[o + j] = sum > 0 ? p.d[o + j] / sum : 0;
            }
          }
        }
      }
    } finally {
      OpProfile.stop("attention softmax", profiled);
    }
  }

  /** max over j < last of scale * z[o + j], padding keys ({@code keep} 0) pushed far below any score. */
  private static float rowMax(float[] z, int o, float[] keep, int last, float scale) {
    float m0 = -Float.MAX_VALUE;
    float m1 = -Float.MAX_VALUE;
    int j = 0;
    for (; j + 1 < last; j += 2) {
      m0 = Math.max(m0, z[o + j] * scale + (keep[j] - 1f) * 1e30f);
      m1 = Math.max(m1, z[o + j + 1] * scale + (keep[j + 1] - 1f) * 1e30f);
    }
    if (j < last) {
      m0 = Math.max(m0, z[o + j] * scale + (keep[j] - 1f) * 1e30f);
    }
    return Math.max(m0, m1);
  }

  /** sum over j < last of e[o + j] * keep[j], in four partial sums (one chain of dependent adds is slower). */
  private static float maskedSum(float[] e, int o, float[] keep, int last) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < last; j += 4) {
      s0 += e[o + j] * keep[j];
      s1 += e[o + j + 1] * keep[j + 1];
      s2 += e[o + j + 2] * keep[j + 2];
      s3 += e[o + j + 3] * keep[j + 3];
    }
    for (; j < last; j++) {
      s0 += e[o + j] * keep[j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** ds = scale * p * (dp - rowsum(dp * p)); {@code ds} may be {@code dp}. */
  public static void backward(Buf p, Buf dp, Buf ds, int groups, int queries, int keys, double scale) {
    long profiled = OpProfile.start();
    try {
      int rows = groups * queries;
      if (p.f != null) {
        float sc = (float) scale;
        Parallel.rows(rows, 64, (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int o = r * keys;
            float dot = 0;
            for (int j = 0; j < keys; j++) {
              dot += dp.f[o + j] * p.f[o + j];
            }
            for (int j = 0; j < keys; j++) {
              ds.f[o + j] = sc * p.f[o + j] * (dp.f[o + j] - dot);
            }
          }
        });
      } else {
        for (int r = 0; r < rows; r++) {
          int o = r * keys;
          double dot = 0;
          for (int j = 0; j < keys; j++) {
            dot += dp.d[o + j] * p.d[o + j];
          }
          for (int j = 0; j < keys; j++) {
            ds.d[o + j] = scale * p.d[o + j] * (dp.d[o + j] - dot);
          }
        }
      }
    } finally {
      OpProfile.stop("attention softmax backward", profiled);
    }
  }
}
