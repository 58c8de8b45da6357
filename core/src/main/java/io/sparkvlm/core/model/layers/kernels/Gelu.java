package io.sparkvlm.core.model.layers.kernels;

/**
 * The two GELUs transformers use, as a shape setting:
 * <ul>
 *   <li>{@link #QUICK}: {@code x * sigmoid(1.702 x)}, OpenAI CLIP's QuickGELU; ND4J's {@code gelu} op computes it,
 *       so every model trained before the hand-written layers used it;
 *   <li>{@link #EXACT}: {@code x * Phi(x) = x * (1 + erf(x / sqrt 2)) / 2}, PyTorch's {@code nn.GELU()}, OpenCLIP's
 *       default.
 * </ul>
 * The forward pass adds a bias row first ({@code pre = u + bias}) and keeps {@code pre} and the gate
 * ({@code sigmoid(1.702 pre)} or {@code Phi(pre)}) for the backward pass.
 */
public enum Gelu {
  QUICK("quick_gelu"),
  EXACT("gelu");

  private static final int GRAIN = 8;
  /** 1.702 rounded to float, in both precisions: exactly what ND4J's gelu op computes (also in double). */
  private static final float QUICK_SLOPE = 1.702f;
  private static final double INV_SQRT2 = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  private final String configName;

  Gelu(String configName) {
    this.configName = configName;
  }

  /** The name in model presets and manifests ({@code quick_gelu} as OpenCLIP's config flag, {@code gelu}). */
  public String configName() {
    return configName;
  }

  public static Gelu fromConfigName(String name) {
    for (Gelu g : values()) {
      if (g.configName.equals(name)) {
        return g;
      }
    }
    throw new IllegalArgumentException("Unknown activation '" + name + "' (expected quick_gelu or gelu)");
  }

  /** pre = u + bias (per column), act = gelu(pre), gate kept; [rows, cols]. {@code bias} may be null. */
  public void forward(Buf u, Buf bias, Buf pre, Buf act, Buf gate, int rows, int cols) {
    long profiled = OpProfile.start();
    try {
      boolean quick = this == QUICK;
      if (u.f != null) {
        float[] b = bias == null ? null : bias.f;
        Parallel.rows(rows, GRAIN, (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int o = r * cols;
            if (b != null) {
              for (int c = 0; c < cols; c++) {
                pre.f[o + c] = u.f[o + c] + b[c];
              }
            } else if (pre.f != u.f) {
              System.arraycopy(u.f, o, pre.f, o, cols);
            }
            if (quick) {
              for (int c = 0; c < cols; c++) {
                float x = pre.f[o + c];
                float s = 1f / (1f + FastExp.exp(-QUICK_SLOPE * x));
                gate.f[o + c] = s;
                act.f[o + c] = x * s;
              }
            } else {
              for (int c = 0; c < cols; c++) {
                float x = pre.f[o + c];
                float phi = 0.5f * (1f + Erf.erf(x * (float) INV_SQRT2));
                gate.f[o + c] = phi;
                act.f[o + c] = x * phi;
              }
            }
          }
        });
      } else {
        double[] b = bias == null ? null : bias.d;
        Parallel.rows(rows, GRAIN, (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
              double x = u.d[o + c] + (b == null ? 0 : b[c]);
              double s = quick ? 1 / (1 + Math.exp(-QUICK_SLOPE * x)) : 0.5 * (1 + Erf.erf(x * INV_SQRT2));
              pre.d[o + c] = x;
              gate.d[o + c] = s;
              act.d[o + c] = x * s;
            }
          }
        });
      }
    } finally {
      OpProfile.stop("gelu", profiled);
    }
  }

  /** dPre = dAct * gelu'(pre), from what the forward pass kept. {@code dPre} may be {@code dAct}. */
  public void backward(Buf dAct, Buf pre, Buf gate, Buf dPre, int rows, int cols) {
    long profiled = OpProfile.start();
    try {
      boolean quick = this == QUICK;
      int n = rows * cols;
      if (dAct.f != null) {
        Parallel.rows(rows, GRAIN, (r0, r1) -> {
          int from = r0 * cols;
          int to = r1 * cols;
          float[] d = dAct.f;
          float[] x = pre.f;
          float[] s = gate.f;
          float[] out = dPre.f;
          if (quick) {
            for (int i = from; i < to; i++) {
              float si = s[i];
              out[i] = d[i] * (si + QUICK_SLOPE * x[i] * si * (1f - si));
            }
          } else {
            for (int i = from; i < to; i++) {
              float xi = x[i];
              out[i] = d[i] * (s[i] + xi * (float) INV_SQRT_2PI * FastExp.exp(-0.5f * xi * xi));
            }
          }
        });
      } else {
        for (int i = 0; i < n; i++) {
          double xi = pre.d[i];
          double si = gate.d[i];
          double g = quick ? si + QUICK_SLOPE * xi * si * (1 - si) : si + xi * INV_SQRT_2PI * Math.exp(-0.5 * xi * xi);
          dPre.d[i] = dAct.d[i] * g;
        }
      }
    } finally {
      OpProfile.stop("gelu backward", profiled);
    }
  }
}
