package io.sparkvlm.core.model.layers.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums down the rows of a [rows, cols] row-major buffer (bias and norm gradients): each thread sums a contiguous
 * range of rows into its own partial row (the inner loop runs along a row and vectorises), then the partials add up.
 */
public final class ColumnSums {
  private static final int GRAIN = 64;

  private ColumnSums() {}

  /** out[c] = sum over r of x[r, c]. */
  public static void sum(Buf x, Buf out, int rows, int cols) {
    long profiled = OpProfile.start();
    try {
      reduce(x, null, out, rows, cols);
    } finally {
      OpProfile.stop("column sums (bias and norm gradients)", profiled);
    }
  }

  /**
   * out [1, cols] = the sums down the rows of a native x [rows, cols] (a bias gradient where the rows are native
   * already, without copying them to the heap): BLAS's matrix-vector product with ones on the CPU, ND4J's sum on
   * other backends.
   */
  public static void sum(INDArray x, INDArray out) {
    long profiled = OpProfile.start();
    try {
      if (OpenBlas.available() && Native.contiguous(x) && Native.contiguous(out)) {
        INDArray ones = Arena.temporaries().array("ones", x.dataType(), x.size(0));          // [rows]
        ones.assign(1);
        OpenBlas.columnSums(x, out, ones);
      } else {
        out.assign(x.sum(0).reshape(out.shape()));
      }
    } finally {
      OpProfile.stop("column sums (bias and norm gradients)", profiled);
    }
  }

  /** out[c] = sum over r of x[r, c] * y[r, c]. */
  public static void sumProducts(Buf x, Buf y, Buf out, int rows, int cols) {
    long profiled = OpProfile.start();
    try {
      reduce(x, y, out, rows, cols);
    } finally {
      OpProfile.stop("column sums (bias and norm gradients)", profiled);
    }
  }

  private static void reduce(Buf x, Buf y, Buf out, int rows, int cols) {
    int parts = Math.max(1, Math.min(Parallel.threads(), rows / GRAIN));
    if (x.f != null) {
      float[][] partial = new float[parts][cols];
      Parallel.rows(parts, 1, (p0, p1) -> {
        for (int p = p0; p < p1; p++) {
          float[] acc = partial[p];
          int r0 = (int) ((long) rows * p / parts);
          int r1 = (int) ((long) rows * (p + 1) / parts);
          for (int r = r0; r < r1; r++) {
            int base = r * cols;
            if (y == null) {
              for (int c = 0; c < cols; c++) {
                acc[c] += x.f[base + c];
              }
            } else {
              for (int c = 0; c < cols; c++) {
                acc[c] += x.f[base + c] * y.f[base + c];
              }
            }
          }
        }
      });
      for (int c = 0; c < cols; c++) {
        float v = 0;
        for (int p = 0; p < parts; p++) {
          v += partial[p][c];
        }
        out.f[c] = v;
      }
    } else {
      for (int c = 0; c < cols; c++) {
        out.d[c] = 0;
      }
      for (int r = 0; r < rows; r++) {
        int base = r * cols;
        for (int c = 0; c < cols; c++) {
          out.d[c] += y == null ? x.d[base + c] : x.d[base + c] * y.d[base + c];
        }
      }
    }
  }
}
