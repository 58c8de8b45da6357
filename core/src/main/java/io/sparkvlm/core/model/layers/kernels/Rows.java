package io.sparkvlm.core.model.layers.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Element-wise work on [rows, cols] row-major buffers (and native arrays): residual sums with a bias row. */
public final class Rows {
  private static final int GRAIN = 16;

  private Rows() {}

  /** out = a + b + bias (bias per column, may be null); {@code out} may be {@code a} or {@code b}. */
  public static void addWithBias(Buf a, Buf b, Buf bias, Buf out, int rows, int cols) {
    long profiled = OpProfile.start();
    try {
      if (a.f != null) {
        Parallel.rows(rows, GRAIN, (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int o = r * cols;
            if (bias == null) {
              for (int c = 0; c < cols; c++) {
                out.f[o + c] = a.f[o + c] + b.f[o + c];
              }
            } else {
              for (int c = 0; c < cols; c++) {
                out.f[o + c] = a.f[o + c] + b.f[o + c] + bias.f[c];
              }
            }
          }
        });
      } else {
        for (int r = 0; r < rows; r++) {
          int o = r * cols;
          for (int c = 0; c < cols; c++) {
            out.d[o + c] = a.d[o + c] + b.d[o + c] + (bias == null ? 0 : bias.d[c]);
          }
        }
      }
    } finally {
      OpProfile.stop("bias and residual sums", profiled);
    }
  }

  /** rows += bias, per column, on a native [rows, cols] array (bias [1, cols]); ND4J's broadcast. */
  public static void addBias(INDArray rows, INDArray bias) {
    long profiled = OpProfile.start();
    try {
      rows.addiRowVector(bias);
    } finally {
      OpProfile.stop("bias and residual sums", profiled);
    }
  }

  /** out = a + bias (bias per column); {@code out} may be {@code a}. */
  public static void addBias(Buf a, Buf bias, Buf out, int rows, int cols) {
    long profiled = OpProfile.start();
    try {
      if (a.f != null) {
        Parallel.rows(rows, GRAIN, (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
              out.f[o + c] = a.f[o + c] + bias.f[c];
            }
          }
        });
      } else {
        for (int r = 0; r < rows; r++) {
          int o = r * cols;
          for (int c = 0; c < cols; c++) {
            out.d[o + c] = a.d[o + c] + bias.d[c];
          }
        }
      }
    } finally {
      OpProfile.stop("bias and residual sums", profiled);
    }
  }

  /**
   * Centres each of {@code groups} consecutive groups of {@code rows} rows on its mean row, in place: x[g, r, c] -=
   * mean over r of x[g, r, c]. The map is a symmetric projection, so its backward is the same centring of the
   * gradient.
   */
  public static void centreGroups(Buf x, int groups, int rows, int cols) {
    long profiled = OpProfile.start();
    try {
      Parallel.rows(groups, 1, (g0, g1) -> {
        double[] mean = new double[cols];
        for (int g = g0; g < g1; g++) {
          java.util.Arrays.fill(mean, 0);
          int o = g * rows * cols;
          for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
              mean[c] += x.f != null ? x.f[o + r * cols + c] : x.d[o + r * cols + c];
            }
          }
          for (int c = 0; c < cols; c++) {
            mean[c] /= rows;
          }
          for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
              if (x.f != null) {
                x.f[o + r * cols + c] -= (float) mean[c];
              } else {
                x.d[o + r * cols + c] -= mean[c];
              }
            }
          }
        }
      });
    } finally {
      OpProfile.stop("centring", profiled);
    }
  }
}
