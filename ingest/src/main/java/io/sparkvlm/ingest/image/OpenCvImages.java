package io.sparkvlm.ingest.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.awt.image.BufferedImage;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The pixel work img2dataset does with cv2, through OpenCV 4.5.5 (JavaCPP): JPEG decoding with libjpeg-turbo, at a
 * reduced DCT scale when asked; encoding; and the conversion of a Java image (what ImageIO decodes). Images are 8-bit BGR
 * {@link Mat}s, OpenCV's order. OpenCV's own thread pool is set to one thread, as img2dataset does: an ingest task
 * already runs one image per download thread. Callers free native memory with a {@code PointerScope}.
 */
public final class OpenCvImages {
  static {
    opencv_core.setNumThreads(1);
  }

  /** Reduced-scale decode factors libjpeg can do in the DCT. */
  static final int[] REDUCTIONS = {1, 2, 4, 8};

  private OpenCvImages() {}

  /**
   * A JPEG decoded to BGR, {@code reduction} (1, 2, 4 or 8) times smaller on each side, EXIF orientation not applied
   * (the caller applies it, see {@link #orient}); empty when libjpeg cannot decode it.
   */
  static Mat decodeJpeg(byte[] bytes, int reduction) {
    int flags = switch (reduction) {
      case 1 -> opencv_imgcodecs.IMREAD_COLOR;
      case 2 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
      case 4 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
      case 8 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
      default -> throw new IllegalArgumentException("reduction " + reduction + " is not 1, 2, 4 or 8");
    };
    BytePointer data = new BytePointer(bytes);
    Mat buffer = new Mat(1, bytes.length, CV_8UC1, data);
    return opencv_imgcodecs.imdecode(buffer, flags | opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION);
  }

  /** EXIF orientation {@code orientation} (1..8) applied: the image as it is meant to be seen. */
  static Mat orient(Mat bgr, int orientation) {
    Mat out = new Mat();
    switch (orientation) {
      case 2 -> opencv_core.flip(bgr, out, 1);                                       // mirrored left-right
      case 3 -> opencv_core.rotate(bgr, out, opencv_core.ROTATE_180);
      case 4 -> opencv_core.flip(bgr, out, 0);                                       // mirrored top-bottom
      case 5 -> opencv_core.transpose(bgr, out);
      case 6 -> opencv_core.rotate(bgr, out, opencv_core.ROTATE_90_CLOCKWISE);
      case 7 -> {                                                                    // transverse
        Mat t = new Mat();
        opencv_core.transpose(bgr, t);
        opencv_core.flip(t, out, -1);
      }
      case 8 -> opencv_core.rotate(bgr, out, opencv_core.ROTATE_90_COUNTERCLOCKWISE);
      default -> {
        return bgr;
      }
    }
    return out;
  }

  /** A Java RGB image as a BGR Mat. */
  static Mat fromImage(BufferedImage rgb) {
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    int[] argb = rgb.getRGB(0, 0, w, h, null, 0, w);
    byte[] bgr = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      bgr[3 * i] = (byte) p;
      bgr[3 * i + 1] = (byte) (p >> 8);
      bgr[3 * i + 2] = (byte) (p >> 16);
    }
    Mat m = new Mat(h, w, CV_8UC3);
    m.data().put(bgr);
    return m;
  }

  /** A BGR image as a baseline JPEG at {@code quality} (OpenCV's defaults otherwise: 4:2:0, no optimisation). */
  static byte[] encodeJpeg(Mat bgr, int quality) {
    BytePointer out = new BytePointer();
    return bytes(opencv_imgcodecs.imencode(".jpg", bgr, out,
        new IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality)), out, bgr, "JPEG");
  }

  /** A BGR image as a PNG. */
  static byte[] encodePng(Mat bgr) {
    BytePointer out = new BytePointer();
    return bytes(opencv_imgcodecs.imencode(".png", bgr, out), out, bgr, "PNG");
  }

  private static byte[] bytes(boolean encoded, BytePointer out, Mat bgr, String format) {
    if (!encoded) {
      throw new IllegalStateException("OpenCV could not encode a " + bgr.cols() + "x" + bgr.rows() + " image as "
          + format);
    }
    byte[] bytes = new byte[(int) out.limit()];
    out.get(bytes);
    return bytes;
  }
}
