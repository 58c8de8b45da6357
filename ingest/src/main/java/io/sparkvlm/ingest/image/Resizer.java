package io.sparkvlm.ingest.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Resizing as img2dataset does it, with an area-average (box) filter for downscaling, which is what OpenCV's
 * INTER_AREA computes, and bicubic interpolation for upscaling.
 */
public final class Resizer {
  private Resizer() {}

  /** The output size for an image of {@code w} x {@code h} (before any border or crop). */
  static int[] scaledSize(int w, int h, ResizeMode mode, int size, boolean onlyIfBigger) {
    double scale = switch (mode) {
      case NO -> 1.0;
      case BORDER, KEEP_RATIO_LARGEST -> size / (double) Math.max(w, h);
      case KEEP_RATIO, CENTER_CROP -> size / (double) Math.min(w, h);
    };
    if (onlyIfBigger && scale > 1) {
      scale = 1;
    }
    return new int[] {Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale))};
  }

  public static BufferedImage resize(BufferedImage rgb, ResizeMode mode, int size, boolean onlyIfBigger) {
    if (mode == ResizeMode.NO) {
      return rgb;
    }
    int[] wh = scaledSize(rgb.getWidth(), rgb.getHeight(), mode, size, onlyIfBigger);
    BufferedImage scaled = scale(rgb, wh[0], wh[1]);
    return switch (mode) {
      case BORDER -> pad(scaled, size);
      case CENTER_CROP -> crop(scaled, size);
      default -> scaled;
    };
  }

  static BufferedImage scale(BufferedImage src, int w, int h) {
    if (w == src.getWidth() && h == src.getHeight()) {
      return src;
    }
    if (w <= src.getWidth() && h <= src.getHeight()) {
      return areaAverage(src, w, h);
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  /** Each output pixel is the exact area-weighted mean of the input pixels it covers (separable box filter). */
  static BufferedImage areaAverage(BufferedImage src, int w, int h) {
    int sw = src.getWidth();
    int sh = src.getHeight();
    int[] in = src.getRGB(0, 0, sw, sh, null, 0, sw);
    // horizontal pass: sw x sh -> w x sh, three float channels
    float[] mid = new float[w * sh * 3];
    double fx = sw / (double) w;
    for (int x = 0; x < w; x++) {
      double x0 = x * fx;
      double x1 = x0 + fx;
      int first = (int) Math.floor(x0);
      int last = Math.min(sw - 1, (int) Math.ceil(x1) - 1);
      for (int y = 0; y < sh; y++) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int sx = first; sx <= last; sx++) {
          double weight = Math.min(x1, sx + 1) - Math.max(x0, sx);
          int p = in[y * sw + sx];
          r += weight * ((p >> 16) & 0xFF);
          g += weight * ((p >> 8) & 0xFF);
          b += weight * (p & 0xFF);
        }
        int o = (y * w + x) * 3;
        mid[o] = (float) (r / fx);
        mid[o + 1] = (float) (g / fx);
        mid[o + 2] = (float) (b / fx);
      }
    }
    int[] out = new int[w * h];
    double fy = sh / (double) h;
    for (int y = 0; y < h; y++) {
      double y0 = y * fy;
      double y1 = y0 + fy;
      int first = (int) Math.floor(y0);
      int last = Math.min(sh - 1, (int) Math.ceil(y1) - 1);
      for (int x = 0; x < w; x++) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int sy = first; sy <= last; sy++) {
          double weight = Math.min(y1, sy + 1) - Math.max(y0, sy);
          int o = (sy * w + x) * 3;
          r += weight * mid[o];
          g += weight * mid[o + 1];
          b += weight * mid[o + 2];
        }
        out[y * w + x] = (clamp(r / fy) << 16) | (clamp(g / fy) << 8) | clamp(b / fy);
      }
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, w, h, out, 0, w);
    return img;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  /** Centres {@code img} on a black square of side {@code size} (img2dataset's border mode). */
  static BufferedImage pad(BufferedImage img, int size) {
    int side = Math.max(size, Math.max(img.getWidth(), img.getHeight()));
    BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(img, (side - img.getWidth()) / 2, (side - img.getHeight()) / 2, null);
    g.dispose();
    return out;
  }

  /** The central {@code size} x {@code size} square (or the whole image along a side shorter than that). */
  static BufferedImage crop(BufferedImage img, int size) {
    int w = Math.min(size, img.getWidth());
    int h = Math.min(size, img.getHeight());
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(img, -(img.getWidth() - w) / 2, -(img.getHeight() - h) / 2, null);
    g.dispose();
    return out;
  }
}
