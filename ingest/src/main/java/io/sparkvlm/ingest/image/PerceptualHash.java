package io.sparkvlm.ingest.image;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The 64-bit DCT perceptual hash (pHash): the image reduced to 32x32 grey (area average), its 2D DCT-II, and one
 * bit per coefficient of the 8x8 lowest frequencies: set when above their median. Near-identical images (resized,
 * re-encoded, slightly brightened) differ in few bits.
 */
public final class PerceptualHash {
  private static final int N = 32;
  private static final double[][] COS = new double[N][N];

  static {
    for (int k = 0; k < N; k++) {
      for (int n = 0; n < N; n++) {
        COS[k][n] = Math.cos(Math.PI * (n + 0.5) * k / N);
      }
    }
  }

  private PerceptualHash() {}

  /** The hash of a BGR image: reduced to 32x32 by OpenCV (area average when shrinking), then grey and DCT here. */
  public static long of(Mat bgr) {
    boolean shrink = bgr.cols() >= N && bgr.rows() >= N;
    Mat small = new Mat();
    opencv_imgproc.resize(bgr, small, new Size(N, N), 0, 0,
        shrink ? opencv_imgproc.INTER_AREA : opencv_imgproc.INTER_CUBIC);
    byte[] px = new byte[N * N * 3];
    small.data().get(px);
    double[][] grey = new double[N][N];
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        int o = (y * N + x) * 3; // B, G, R
        grey[y][x] = 0.299 * (px[o + 2] & 0xFF) + 0.587 * (px[o + 1] & 0xFF) + 0.114 * (px[o] & 0xFF);
      }
    }
    double[][] rows = new double[N][8];
    for (int y = 0; y < N; y++) {
      for (int k = 0; k < 8; k++) {
        double s = 0;
        for (int x = 0; x < N; x++) {
          s += grey[y][x] * COS[k][x];
        }
        rows[y][k] = s;
      }
    }
    double[] coeffs = new double[64];
    for (int ky = 0; ky < 8; ky++) {
      for (int kx = 0; kx < 8; kx++) {
        double s = 0;
        for (int y = 0; y < N; y++) {
          s += rows[y][kx] * COS[ky][y];
        }
        coeffs[ky * 8 + kx] = s;
      }
    }
    double[] sorted = java.util.Arrays.copyOfRange(coeffs, 1, 64); // median without the DC term
    java.util.Arrays.sort(sorted);
    double median = (sorted[31] + sorted[32]) / 2;
    long hash = 0;
    for (int i = 0; i < 64; i++) {
      if (coeffs[i] > median) {
        hash |= 1L << i;
      }
    }
    return hash;
  }

  public static int distance(long a, long b) {
    return Long.bitCount(a ^ b);
  }
}
