package io.sparkvlm.core.image;

/**
 * Resizing 8-bit RGB pixels exactly as Pillow's {@code Image.resize} does (Pillow's {@code Resample.c}), which is what
 * OpenCLIP's and torchvision's transforms call on PIL images: a separable convolution whose kernel widens with the
 * reduction (antialiased), the horizontal pass first into 8-bit rows, then the vertical one, with Pillow's 22-bit
 * fixed-point weights and rounding, so the output is Pillow's to the bit (tested against Pillow on fixtures).
 *
 * <p>Pixels are packed {@code 0xRRGGBB} ints, row-major; the top byte is ignored and written as zero.
 */
public final class Resample {
  private Resample() {}

  /** Pillow's fixed-point precision for 8-bit images: {@code 32 - 8 - 2}. */
  private static final int PRECISION_BITS = 22;

  /** The interpolation filters Pillow resizes with (OpenCLIP's {@code interpolation}: bilinear, bicubic). */
  public enum Filter {
    /** The triangle filter, support 1. */
    BILINEAR(1.0),
    /** Keys' cubic convolution with a = -0.5 (Pillow's; PyTorch's {@code F.interpolate} uses -0.75), support 2. */
    BICUBIC(2.0);

    private final double support;

    Filter(double support) {
      this.support = support;
    }

    double weight(double x) {
      double ax = Math.abs(x);
      if (this == BILINEAR) {
        return ax < 1.0 ? 1.0 - ax : 0.0;
      }
      final double a = -0.5;
      if (ax < 1.0) {
        return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
      }
      if (ax < 2.0) {
        return (((ax - 5) * ax + 8) * ax - 4) * a;
      }
      return 0.0;
    }
  }

  /**
   * The {@code outWidth} x {@code outHeight} image of {@code rgb} ({@code width} x {@code height}); the same array
   * when the size does not change (Pillow copies the image then).
   */
  public static int[] resize(int[] rgb, int width, int height, int outWidth, int outHeight, Filter filter) {
    if (rgb.length != width * height) {
      throw new IllegalArgumentException("pixels " + rgb.length + " for a " + width + "x" + height + " image");
    }
    if (outWidth < 1 || outHeight < 1) {
      throw new IllegalArgumentException("cannot resize to " + outWidth + "x" + outHeight);
    }
    if (outWidth == width && outHeight == height) {
      return rgb;
    }
    Coefficients horizontal = Coefficients.of(width, outWidth, filter);
    Coefficients vertical = Coefficients.of(height, outHeight, filter);
    int[] rows = rgb;
    int rowCount = height;
    int firstRow = 0;
    if (outWidth != width) {
      // only the rows the vertical pass reads
      firstRow = vertical.start(0);
      int lastRow = vertical.start(outHeight - 1) + vertical.count(outHeight - 1);
      rowCount = lastRow - firstRow;
      rows = horizontalPass(rgb, width, firstRow, rowCount, outWidth, horizontal);
    }
    if (outHeight == height) {
      return rows;
    }
    return verticalPass(rows, outWidth, firstRow, outHeight, vertical);
  }

  private static int[] horizontalPass(int[] in, int width, int firstRow, int rowCount, int outWidth, Coefficients c) {
    int[] out = new int[outWidth * rowCount];
    for (int y = 0; y < rowCount; y++) {
      int row = (y + firstRow) * width;
      for (int xx = 0; xx < outWidth; xx++) {
        int start = c.start(xx);
        int count = c.count(xx);
        int k0 = xx * c.size;
        int r = 1 << (PRECISION_BITS - 1);
        int g = r;
        int b = r;
        for (int x = 0; x < count; x++) {
          int p = in[row + start + x];
          int k = c.weights[k0 + x];
          r += ((p >> 16) & 0xff) * k;
          g += ((p >> 8) & 0xff) * k;
          b += (p & 0xff) * k;
        }
        out[y * outWidth + xx] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
      }
    }
    return out;
  }

  /** {@code in}'s rows are the source's from {@code firstRow} on. */
  private static int[] verticalPass(int[] in, int width, int firstRow, int outHeight, Coefficients c) {
    int[] out = new int[width * outHeight];
    // a whole output row at a time, one input row (tap) after another: loops along rows, which HotSpot vectorises
    int[] r = new int[width];
    int[] g = new int[width];
    int[] b = new int[width];
    for (int yy = 0; yy < outHeight; yy++) {
      int start = c.start(yy) - firstRow;
      int count = c.count(yy);
      int k0 = yy * c.size;
      java.util.Arrays.fill(r, 1 << (PRECISION_BITS - 1));
      java.util.Arrays.fill(g, 1 << (PRECISION_BITS - 1));
      java.util.Arrays.fill(b, 1 << (PRECISION_BITS - 1));
      for (int y = 0; y < count; y++) {
        int row = (start + y) * width;
        int k = c.weights[k0 + y];
        for (int x = 0; x < width; x++) {
          int p = in[row + x];
          r[x] += ((p >> 16) & 0xff) * k;
          g[x] += ((p >> 8) & 0xff) * k;
          b[x] += (p & 0xff) * k;
        }
      }
      int at = yy * width;
      for (int x = 0; x < width; x++) {
        out[at + x] = (clip8(r[x]) << 16) | (clip8(g[x]) << 8) | clip8(b[x]);
      }
    }
    return out;
  }

  private static int clip8(int sum) {
    int v = sum >> PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /**
   * Per output pixel: the first input pixel it reads, how many, and their fixed-point weights (Pillow's
   * {@code precompute_coeffs} and {@code normalize_coeffs_8bpc}, for the whole input as the box).
   */
  private static final class Coefficients {
    final int size;
    final int[] bounds;
    final int[] weights;

    private Coefficients(int size, int[] bounds, int[] weights) {
      this.size = size;
      this.bounds = bounds;
      this.weights = weights;
    }

    int start(int out) {
      return bounds[2 * out];
    }

    int count(int out) {
      return bounds[2 * out + 1];
    }

    static Coefficients of(int inSize, int outSize, Filter filter) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = filter.support * filterScale;
      int size = (int) Math.ceil(support) * 2 + 1;
      int[] bounds = new int[2 * outSize];
      int[] weights = new int[outSize * size];
      double[] w = new double[size];
      for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale;
        double ss = 1.0 / filterScale;
        int xmin = Math.max((int) (center - support + 0.5), 0);
        int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
        double sum = 0.0;
        for (int x = 0; x < xmax; x++) {
          w[x] = filter.weight((x + xmin - center + 0.5) * ss);
          sum += w[x];
        }
        for (int x = 0; x < xmax; x++) {
          double k = sum != 0.0 ? w[x] / sum : w[x];
          weights[xx * size + x] = (int) (k < 0 ? -0.5 + k * (1 << PRECISION_BITS) : 0.5 + k * (1 << PRECISION_BITS));
        }
        bounds[2 * xx] = xmin;
        bounds[2 * xx + 1] = xmax;
      }
      return new Coefficients(size, bounds, weights);
    }
  }
}
