package io.sparkvlm.ingest.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.Optional;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The system's TurboJPEG library ({@code libturbojpeg}, libjpeg-turbo's own API, built with its SIMD code by Linux
 * distributions: Debian/Ubuntu {@code libturbojpeg0}, Fedora/RHEL {@code turbojpeg}), called through JNA. It decodes
 * to the same pixels as OpenCV's bundled libjpeg-turbo and encodes to the same bytes (both are libjpeg-turbo with the
 * accurate integer DCT, 4:2:0 chroma, no Huffman optimisation), about 2x faster to decode and 5x to encode here: the
 * JavaCPP build of OpenCV carries libjpeg-turbo without its SIMD code (docs/stages/ingest.md). The TurboJPEG 1.2-2.x
 * API, which libjpeg-turbo 3 still exports. A handle is made and destroyed per call, so calls from any thread are
 * safe (no measurable cost: a 512 px decode took 0.91-1.04 ms so, 0.94-0.97 ms with one handle kept).
 */
final class TurboJpeg {
  // turbojpeg.h
  private static final int TJPF_BGR = 1;
  private static final int TJSAMP_420 = 2;
  private static final int TJCS_GRAY = 2;
  private static final int TJFLAG_ACCURATEDCT = 4096;
  private static final int TJERR_WARNING = 0;
  /** The library's name as the dynamic linker knows it (libturbojpeg.so, or its versioned file). */
  static final String LIBRARY = "turbojpeg";

  /** Why the library did not load; empty when it did. */
  private static final Optional<String> LOAD_FAILURE = load();

  private TurboJpeg() {}

  private static Optional<String> load() {
    try {
      Native.register(TurboJpeg.class, NativeLibrary.getInstance(LIBRARY));
      return Optional.empty();
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      String message = String.valueOf(e.getMessage());
      int classPath = message.indexOf(" in resource path"); // JNA then lists the whole class path
      return Optional.of(classPath < 0 ? message : message.substring(0, classPath));
    }
  }

  /** Why this JVM could not load the library, if it could not. */
  static Optional<String> loadFailure() {
    return LOAD_FAILURE;
  }

  /**
   * A JPEG decoded to BGR, {@code reduction} (1, 2, 4 or 8) times smaller on each side (libjpeg's DCT scaling, as
   * OpenCV's {@code IMREAD_REDUCED_COLOR_*}); empty for a JPEG libjpeg cannot decode. CMYK and YCCK JPEGs, which
   * TurboJPEG does not convert to BGR, go to OpenCV. Warnings (corrupt data libjpeg recovers from) are not failures,
   * as in OpenCV. The image is native memory: decode within a {@code PointerScope}.
   */
  static Optional<Mat> decode(byte[] jpeg, int reduction) {
    Pointer handle = tjInitDecompress();
    if (handle == null) {
      throw new IllegalStateException("TurboJPEG could not make a decompressor");
    }
    try {
      NativeLong size = new NativeLong(jpeg.length);
      IntByReference width = new IntByReference();
      IntByReference height = new IntByReference();
      IntByReference subsampling = new IntByReference();
      IntByReference colorspace = new IntByReference();
      if (tjDecompressHeader3(handle, jpeg, size, width, height, subsampling, colorspace) != 0) {
        return Optional.empty();
      }
      if (colorspace.getValue() > TJCS_GRAY) {
        return Optional.of(OpenCvImages.decodeJpeg(jpeg, reduction)).filter(m -> !m.empty());
      }
      int w = (width.getValue() + reduction - 1) / reduction;    // TJSCALED: libjpeg rounds up
      int h = (height.getValue() + reduction - 1) / reduction;
      Mat bgr = new Mat(h, w, opencv_core.CV_8UC3);               // [h, w, 3] uint8, rows of step() bytes
      int status = tjDecompress2(handle, jpeg, size, new Pointer(bgr.data().address()), w, (int) bgr.step(), h,
          TJPF_BGR, TJFLAG_ACCURATEDCT);
      return status == 0 || tjGetErrorCode(handle) == TJERR_WARNING ? Optional.of(bgr) : Optional.empty();
    } finally {
      tjDestroy(handle);
    }
  }

  /** A BGR image as a baseline JPEG at {@code quality}: the bytes OpenCV's {@code imencode(".jpg")} writes. */
  static byte[] encode(Mat bgr, int quality) {
    if (bgr.type() != opencv_core.CV_8UC3) {
      throw new IllegalArgumentException("TurboJPEG encodes 8-bit BGR images, not OpenCV type " + bgr.type());
    }
    Pointer handle = tjInitCompress();
    if (handle == null) {
      throw new IllegalStateException("TurboJPEG could not make a compressor");
    }
    PointerByReference out = new PointerByReference();
    NativeLongByReference outSize = new NativeLongByReference();
    try {
      if (tjCompress2(handle, new Pointer(bgr.data().address()), bgr.cols(), (int) bgr.step(), bgr.rows(), TJPF_BGR,
          out, outSize, TJSAMP_420, quality, TJFLAG_ACCURATEDCT) != 0) {
        throw new IllegalStateException("TurboJPEG could not encode a " + bgr.cols() + "x" + bgr.rows()
            + " image: " + tjGetErrorStr2(handle));
      }
      return out.getValue().getByteArray(0, outSize.getValue().intValue());
    } finally {
      if (out.getValue() != null) {
        tjFree(out.getValue());
      }
      tjDestroy(handle);
    }
  }

  private static native Pointer tjInitDecompress();

  private static native Pointer tjInitCompress();

  private static native int tjDestroy(Pointer handle);

  private static native int tjDecompressHeader3(Pointer handle, byte[] jpeg, NativeLong size, IntByReference width,
      IntByReference height, IntByReference subsampling, IntByReference colorspace);

  private static native int tjDecompress2(Pointer handle, byte[] jpeg, NativeLong size, Pointer dst, int width,
      int pitch, int height, int pixelFormat, int flags);

  private static native int tjCompress2(Pointer handle, Pointer src, int width, int pitch, int height,
      int pixelFormat, PointerByReference jpeg, NativeLongByReference jpegSize, int subsampling, int quality,
      int flags);

  private static native void tjFree(Pointer buffer);

  private static native int tjGetErrorCode(Pointer handle);

  private static native String tjGetErrorStr2(Pointer handle);
}
