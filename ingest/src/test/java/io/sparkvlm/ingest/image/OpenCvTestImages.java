package io.sparkvlm.ingest.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;

/** Tests' bridges between Java images and OpenCV's BGR Mats. */
final class OpenCvTestImages {
  private OpenCvTestImages() {}

  /** A BGR Mat as a Java image (TYPE_3BYTE_BGR shares OpenCV's byte order). */
  static BufferedImage toImage(Mat bgr) {
    Mat continuous = bgr.isContinuous() ? bgr : bgr.clone();
    BufferedImage img = new BufferedImage(continuous.cols(), continuous.rows(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] pixels = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    continuous.data().get(pixels);
    return img;
  }

  /** The perceptual hash of a Java image. */
  static long hash(BufferedImage rgb) {
    try (PointerScope scope = new PointerScope()) {
      return PerceptualHash.of(OpenCvImages.fromImage(rgb));
    }
  }
}
