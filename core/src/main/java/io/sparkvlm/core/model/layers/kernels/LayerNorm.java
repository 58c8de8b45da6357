package io.sparkvlm.core.model.layers.kernels;

/**
 * Layer normalisation over the last axis of a [rows, width] row-major buffer:
 * {@code y = (x - mean) * rstd * gain + bias} with {@code rstd = 1 / sqrt(var + eps)} (biased variance). The
 * forward pass keeps {@code xhat = (x - mean) * rstd} and {@code rstd} for the backward pass:
 * <pre>
 *   dxhat = dy * gain
 *   dx    = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 *   dgain = sum over rows of dy * xhat,  dbias = sum over rows of dy
 * </pre>
 */
public final class LayerNorm {
  /** PyTorch's and OpenCLIP's epsilon. */
  public static final double EPS = 1e-5;
  /** ND4J's layer_norm op has none: what checkpoints of the SameDiff layers were trained with. */
  public static final double ND4J_EPS = 0.0;
  private static final double MIN_VARIANCE = 1e-30;
  private static final int GRAIN = 16;

  private LayerNorm() {}

  public static void forward(Buf x, Buf gain, Buf bias, Buf y, Buf xhat, Buf rstd, int rows, int width,
      double eps) {
    long profiled = OpProfile.start();
    try {
      if (x.f != null) {
        Parallel.rows(rows, GRAIN, (r0, r1) -> forward(x.f, gain.f, bias.f, y.f, xhat.f, rstd.f, r0, r1, width,
            (float) eps));
      } else {
        Parallel.rows(rows, GRAIN, (r0, r1) -> forward(x.d, gain.d, bias.d, y.d, xhat.d, rstd.d, r0, r1, width, eps));
      }
    } finally {
      OpProfile.stop("layer norm", profiled);
    }
  }

  private static void forward(float[] x, float[] g, float[] b, float[] y, float[] xhat, float[] rstd, int r0, int r1,
      int w, float eps) {
    for (int r = r0; r < r1; r++) {
      int o = r * w;
      float s = 0;
      for (int c = 0; c < w; c++) {
        s += x[o + c];
      }
      float mean = s / w;
      float v = 0;
      for (int c = 0; c < w; c++) {
        float d = x[o + c] - mean;
        v += d * d;
      }
      float rs = (float) (1 / Math.sqrt(Math.max(v / w + eps, MIN_VARIANCE)));
      rstd[r] = rs;
      for (int c = 0; c < w; c++) {
        float h = (x[o + c] - mean) * rs;
        xhat[o + c] = h;
        y[o + c] = h * g[c] + b[c];
      }
    }
  }

  private static void forward(double[] x, double[] g, double[] b, double[] y, double[] xhat, double[] rstd, int r0,
      int r1, int w, double eps) {
    for (int r = r0; r < r1; r++) {
      int o = r * w;
      double s = 0;
      for (int c = 0; c < w; c++) {
        s += x[o + c];
      }
      double mean = s / w;
      double v = 0;
      for (int c = 0; c < w; c++) {
        double d = x[o + c] - mean;
        v += d * d;
      }
      double rs = 1 / Math.sqrt(Math.max(v / w + eps, MIN_VARIANCE));
      rstd[r] = rs;
      for (int c = 0; c < w; c++) {
        double h = (x[o + c] - mean) * rs;
        xhat[o + c] = h;
        y[o + c] = h * g[c] + b[c];
      }
    }
  }

  /**
   * dx (+)= the gradient through the norm; {@code dGain} and {@code dBias} (width values) are overwritten.
   * With {@code accumulate}, dx already holds a gradient (a residual path) and this one is added.
   */
  public static void backward(Buf dy, Buf xhat, Buf rstd, Buf gain, Buf dx, Buf dGain, Buf dBias, int rows,
      int width, boolean accumulate) {
    long profiled = OpProfile.start();
    try {
      if (dy.f != null) {
        Parallel.rows(rows, GRAIN, (r0, r1) -> backward(dy.f, xhat.f, rstd.f, gain.f, dx.f, r0, r1, width, accumulate));
        ColumnSums.sumProducts(dy, xhat, dGain, rows, width);
        ColumnSums.sum(dy, dBias, rows, width);
      } else {
        Parallel.rows(rows, GRAIN, (r0, r1) -> backward(dy.d, xhat.d, rstd.d, gain.d, dx.d, r0, r1, width, accumulate));
        ColumnSums.sumProducts(dy, xhat, dGain, rows, width);
        ColumnSums.sum(dy, dBias, rows, width);
      }
    } finally {
      OpProfile.stop("layer norm backward", profiled);
    }
  }

  private static void backward(float[] dy, float[] xhat, float[] rstd, float[] g, float[] dx, int r0, int r1, int w,
      boolean accumulate) {
    for (int r = r0; r < r1; r++) {
      int o = r * w;
      float a = 0;
      float b = 0;
      for (int c = 0; c < w; c++) {
        float dh = dy[o + c] * g[c];
        a += dh;
        b += dh * xhat[o + c];
      }
      a /= w;
      b /= w;
      float rs = rstd[r];
      if (accumulate) {
        for (int c = 0; c < w; c++) {
          dx[o + c] += rs * (dy[o + c] * g[c] - a - xhat[o + c] * b);
        }
      } else {
        for (int c = 0; c < w; c++) {
          dx[o + c] = rs * (dy[o + c] * g[c] - a - xhat[o + c] * b);
        }
      }
    }
  }

  private static void backward(double[] dy, double[] xhat, double[] rstd, double[] g, double[] dx, int r0, int r1,
      int w, boolean accumulate) {
    for (int r = r0; r < r1; r++) {
      int o = r * w;
      double a = 0;
      double b = 0;
      for (int c = 0; c < w; c++) {
        double dh = dy[o + c] * g[c];
        a += dh;
        b += dh * xhat[o + c];
      }
      a /= w;
      b /= w;
      double rs = rstd[r];
      if (accumulate) {
        for (int c = 0; c < w; c++) {
          dx[o + c] += rs * (dy[o + c] * g[c] - a - xhat[o + c] * b);
        }
      } else {
        for (int c = 0; c < w; c++) {
          dx[o + c] = rs * (dy[o + c] * g[c] - a - xhat[o + c] * b);
        }
      }
    }
  }
}
