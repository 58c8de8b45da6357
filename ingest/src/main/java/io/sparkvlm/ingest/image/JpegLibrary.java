package io.sparkvlm.ingest.image;

import io.sparkvlm.core.config.ConfigReader;
import java.util.Optional;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Which library decodes and encodes JPEGs ({@code ingest.image.jpeg-library}). Both are libjpeg-turbo with the same
 * settings, so the pixels and bytes are the same whichever runs (tested); only the speed differs, and a rerun may
 * change it.
 */
public enum JpegLibrary {
  /** The system's TurboJPEG library when this JVM loads it, else OpenCV's. */
  AUTO,
  /** OpenCV's bundled libjpeg-turbo (built without its SIMD code in the JavaCPP build). */
  OPENCV,
  /** The system's TurboJPEG library ({@link TurboJpeg}), required: an ingest task where it does not load fails. */
  TURBOJPEG;

  /**
   * What this setting means in this JVM: {@link #OPENCV} or {@link #TURBOJPEG}.
   *
   * @throws IllegalStateException for {@link #TURBOJPEG} where the library does not load, saying why and what to
   *     install
   */
  public JpegLibrary resolve() {
    return resolve(TurboJpeg.loadFailure());
  }

  /** {@link #resolve()} where the system's library failed to load for {@code loadFailure}, or loaded (empty). */
  JpegLibrary resolve(Optional<String> loadFailure) {
    return switch (this) {
      case AUTO -> loadFailure.isEmpty() ? TURBOJPEG : OPENCV;
      case OPENCV -> OPENCV;
      case TURBOJPEG -> {
        if (loadFailure.isPresent()) {
          throw new IllegalStateException("ingest.image.jpeg-library = turbojpeg, but this JVM cannot load lib"
              + TurboJpeg.LIBRARY + " (" + loadFailure.get() + "): install libjpeg-turbo's TurboJPEG library "
              + "(Debian/Ubuntu: libturbojpeg0, Fedora/RHEL: turbojpeg) on every executor, or set "
              + "ingest.image.jpeg-library to auto or opencv");
        }
        yield TURBOJPEG;
      }
    };
  }

  /**
   * How a resolved library reads in a log line: its config name, and for {@link #OPENCV} why the system's TurboJPEG
   * did not load, if it did not (an executor without the package runs at about half the speed).
   */
  public String describe() {
    return describe(TurboJpeg.loadFailure());
  }

  /** {@link #describe()} where the system's library failed to load for {@code loadFailure}, or loaded (empty). */
  String describe(Optional<String> loadFailure) {
    String name = ConfigReader.configName(this);
    return this == OPENCV && loadFailure.isPresent()
        ? name + " (lib" + TurboJpeg.LIBRARY + " did not load: " + loadFailure.get() + ")" : name;
  }

  /** A JPEG decoded to BGR at 1/{@code reduction} scale; empty when libjpeg cannot decode it. Resolved values only. */
  Mat decode(byte[] jpeg, int reduction) {
    return switch (this) {
      case TURBOJPEG -> TurboJpeg.decode(jpeg, reduction).orElseGet(Mat::new);
      case OPENCV -> OpenCvImages.decodeJpeg(jpeg, reduction);
      case AUTO -> resolve().decode(jpeg, reduction);
    };
  }

  /** A BGR image as a JPEG at {@code quality}. */
  byte[] encode(Mat bgr, int quality) {
    return switch (this) {
      case TURBOJPEG -> TurboJpeg.encode(bgr, quality);
      case OPENCV -> OpenCvImages.encodeJpeg(bgr, quality);
      case AUTO -> resolve().encode(bgr, quality);
    };
  }
}
