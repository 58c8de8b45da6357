package io.sparkvlm.core.model.layers.kernels;

/**
 * Image patches as rows (a convolution with stride = kernel as a matrix product): image [B, 3, S, S] (NCHW) to
 * patches [B * (S/p)^2, 3 * p * p], patches row by row, values in (channel, row, column) order; and the reverse
 * for the gradient (patches do not overlap, so it is a plain scatter).
 */
public final class Patches {
  private Patches() {}

  public static void extract(Buf image, Buf out, int batch, int size, int patch) {
    long profiled = OpProfile.start();
    try {
      move(image, out, batch, size, patch, true);
    } finally {
      OpProfile.stop("patches", profiled);
    }
  }

  public static void scatter(Buf patches, Buf image, int batch, int size, int patch) {
    long profiled = OpProfile.start();
    try {
      move(image, patches, batch, size, patch, false);
    } finally {
      OpProfile.stop("patches", profiled);
    }
  }

  private static void move(Buf image, Buf patches, int batch, int size, int patch, boolean toPatches) {
    int g = size / patch;
    int pv = 3 * patch * patch;
    Parallel.rows(batch, 1, (b0, b1) -> {
      for (int b = b0; b < b1; b++) {
        for (int gy = 0; gy < g; gy++) {
          for (int gx = 0; gx < g; gx++) {
            int row = (b * g + gy) * g + gx;
            for (int ch = 0; ch < 3; ch++) {
              for (int py = 0; py < patch; py++) {
                int img = ((b * 3 + ch) * size + gy * patch + py) * size + gx * patch;
                int pat = row * pv + (ch * patch + py) * patch;
                if (image.f != null) {
                  if (toPatches) {
                    System.arraycopy(image.f, img, patches.f, pat, patch);
                  } else {
                    System.arraycopy(patches.f, pat, image.f, img, patch);
                  }
                } else if (toPatches) {
                  System.arraycopy(image.d, img, patches.d, pat, patch);
                } else {
                  System.arraycopy(patches.d, pat, image.d, img, patch);
                }
              }
            }
          }
        }
      }
    });
  }
}
