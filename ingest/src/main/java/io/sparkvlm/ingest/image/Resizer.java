package io.sparkvlm.ingest.image;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Resizing exactly as img2dataset's resizer does it (cv2 through albumentations): OpenCV's INTER_AREA to shrink,
 * INTER_LANCZOS4 to enlarge, the new sides rounded half to even as Python's {@code round}; border mode pads the
 * larger-side-scaled image to a square with white, centred (extra pixel at the bottom and right); centre crop takes
 * the middle square. With {@code onlyIfBigger}, an image that would be enlarged is left as it is (and not padded).
 */
public final class Resizer {
  private Resizer() {}

  /** The side img2dataset scales to {@code size}: the larger for border and keep-ratio-largest, else the smaller. */
  private static int scaledSide(int w, int h, ResizeMode mode) {
    return switch (mode) {
      case BORDER, KEEP_RATIO_LARGEST -> Math.max(w, h);
      case NO, KEEP_RATIO, CENTER_CROP -> Math.min(w, h);
    };
  }

  /** Whether an image of {@code w} x {@code h} is resized at all. */
  static boolean resizes(int w, int h, ResizeMode mode, int size, boolean onlyIfBigger) {
    return mode != ResizeMode.NO && (!onlyIfBigger || scaledSide(w, h, mode) > size);
  }

  /** The size an image of {@code w} x {@code h} is scaled to (before any border or crop). */
  static int[] scaledSize(int w, int h, ResizeMode mode, int size, boolean onlyIfBigger) {
    if (!resizes(w, h, mode, size, onlyIfBigger)) {
      return new int[] {w, h};
    }
    double scale = size / (double) scaledSide(w, h, mode);
    return new int[] {Math.max(1, (int) Math.rint(w * scale)), Math.max(1, (int) Math.rint(h * scale))};
  }

  /**
   * {@code bgr} resized for {@code mode}. {@code originalW} x {@code originalH} is the image's size before any
   * reduced-scale decode: it decides whether this is a downscale, as img2dataset decides on the full image.
   */
  public static Mat resize(Mat bgr, ResizeMode mode, int size, boolean onlyIfBigger, int originalW, int originalH) {
    if (!resizes(originalW, originalH, mode, size, onlyIfBigger)) {
      return bgr;
    }
    boolean downscale = scaledSide(originalW, originalH, mode) > size;
    int[] wh = scaledSize(originalW, originalH, mode, size, false); // the same sides whatever the decode scale
    Mat scaled = scale(bgr, wh[0], wh[1], downscale);
    return switch (mode) {
      case BORDER -> pad(scaled, size);
      case CENTER_CROP -> crop(scaled, size);
      default -> scaled;
    };
  }

  /** Scaled to {@code w} x {@code h}: area average when shrinking, Lanczos (8x8) when enlarging. */
  static Mat scale(Mat src, int w, int h, boolean downscale) {
    if (w == src.cols() && h == src.rows()) {
      return src;
    }
    Mat out = new Mat();
    opencv_imgproc.resize(src, out, new Size(w, h), 0, 0,
        downscale ? opencv_imgproc.INTER_AREA : opencv_imgproc.INTER_LANCZOS4);
    return out;
  }

  /** Centred on a white square of side {@code size} (albumentations' PadIfNeeded: extra pixel bottom and right). */
  static Mat pad(Mat img, int size) {
    int top = Math.max(0, (size - img.rows()) / 2);
    int bottom = Math.max(0, size - img.rows() - top);
    int left = Math.max(0, (size - img.cols()) / 2);
    int right = Math.max(0, size - img.cols() - left);
    if (top + bottom + left + right == 0) {
      return img;
    }
    Mat out = new Mat();
    Scalar white = new Scalar(255, 255, 255, 0); // img2dataset pads with [255, 255, 255]
    opencv_core.copyMakeBorder(img, out, top, bottom, left, right, opencv_core.BORDER_CONSTANT, white);
    return out;
  }

  /** The central {@code size} x {@code size} square (or the whole image along a side shorter than that). */
  static Mat crop(Mat img, int size) {
    int w = Math.min(size, img.cols());
    int h = Math.min(size, img.rows());
    Rect middle = new Rect((img.cols() - w) / 2, (img.rows() - h) / 2, w, h);
    return new Mat(img, middle).clone();
  }
}
