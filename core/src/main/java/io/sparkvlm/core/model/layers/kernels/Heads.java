package io.sparkvlm.core.model.layers.kernels;

/**
 * Moving attention heads between the token-major layout the projections use, rows (b, t) of width
 * {@code parts * heads * dim} (e.g. q|k|v side by side, each head after head), and the head-major layout the
 * batched products use, [b, h, t, d] per part.
 */
public final class Heads {
  private static final int GRAIN = 1;

  private Heads() {}

  /**
   * {@code out[b, h, t, d] = rows[(b, t), part * H * D + h * D + d] + bias[part * H * D + h * D + d]} for one part
   * of rows that hold {@code parts} parts side by side; {@code bias} may be null.
   */
  public static void split(Buf rows, Buf bias, int parts, int part, Buf out, int batch, int time, int heads, int dim) {
    long profiled = OpProfile.start();
    try {
      int width = heads * dim;
      int stride = parts * width;
      int off = part * width;
      if (rows.f != null) {
        Parallel.rows(batch * heads, GRAIN, (g0, g1) -> {
          for (int g = g0; g < g1; g++) {
            int b = g / heads;
            int h = g % heads;
            for (int t = 0; t < time; t++) {
              int src = (b * time + t) * stride + off + h * dim;
              int dst = (g * time + t) * dim;
              if (bias == null) {
                System.arraycopy(rows.f, src, out.f, dst, dim);
              } else {
                int bo = off + h * dim;
                for (int d = 0; d < dim; d++) {
                  out.f[dst + d] = rows.f[src + d] + bias.f[bo + d];
                }
              }
            }
          }
        });
      } else {
        for (int g = 0; g < batch * heads; g++) {
          int b = g / heads;
          int h = g % heads;
          for (int t = 0; t < time; t++) {
            int src = (b * time + t) * stride + off + h * dim;
            int dst = (g * time + t) * dim;
            for (int d = 0; d < dim; d++) {
              out.d[dst + d] = rows.d[src + d] + (bias == null ? 0 : bias.d[off + h * dim + d]);
            }
          }
        }
      }
    } finally {
      OpProfile.stop("head split/merge", profiled);
    }
  }

  /** The reverse of {@link #split} (no bias): rows[(b, t), part * H * D + h * D + d] = in[b, h, t, d]. */
  public static void merge(Buf in, Buf rows, int parts, int part, int batch, int time, int heads, int dim) {
    long profiled = OpProfile.start();
    try {
      int width = heads * dim;
      int stride = parts * width;
      int off = part * width;
      if (in.f != null) {
        Parallel.rows(batch, GRAIN, (b0, b1) -> {
          for (int b = b0; b < b1; b++) {
            for (int h = 0; h < heads; h++) {
              int g = b * heads + h;
              for (int t = 0; t < time; t++) {
                System.arraycopy(in.f, (g * time + t) * dim, rows.f, (b * time + t) * stride + off + h * dim, dim);
              }
            }
          }
        });
      } else {
        for (int b = 0; b < batch; b++) {
          for (int h = 0; h < heads; h++) {
            int g = b * heads + h;
            for (int t = 0; t < time; t++) {
              System.arraycopy(in.d, (g * time + t) * dim, rows.d, (b * time + t) * stride + off + h * dim, dim);
            }
          }
        }
      }
    } finally {
      OpProfile.stop("head split/merge", profiled);
    }
  }
}
