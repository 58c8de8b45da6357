package io.sparkvlm.ingest.image;

import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.image.ImageFormat;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decode, validate, resize, encode. Formats are sniffed from the bytes (JPEG, PNG, GIF, BMP, WebP). The size is read
 * from the header first (ImageIO): a decompression bomb (more than {@code maxPixels}), a too-small or extremely
 * elongated image is refused before any pixel is decoded. JPEGs are decoded by libjpeg-turbo ({@link JpegLibrary}),
 * those much larger than the target at a reduced DCT scale (keeping at least twice the target resolution for the
 * area-average downscale); the other formats by ImageIO (WebP through TwelveMonkeys), alpha composited on white. EXIF
 * orientation is applied. Resizing is OpenCV's, as img2dataset's ({@link Resizer}); JPEGs are encoded by the same
 * libjpeg-turbo, PNGs by OpenCV.
 */
public final class ImageProcessor {

  /**
   * @param resizeMode how to resize
   * @param size target size in pixels
   * @param resizeOnlyIfBigger never upscale
   * @param outputFormat the format images are stored in
   * @param jpegQuality 1..100
   * @param maxPixels largest width x height accepted (decompression bombs)
   * @param minSide smallest width or height accepted
   * @param maxAspectRatio largest long side / short side accepted
   * @param reducedDecode decode large JPEGs at a reduced scale
   * @param jpegLibrary which library decodes and encodes JPEGs (the same pixels and bytes either way)
   */
  public record Settings(ResizeMode resizeMode, int size, boolean resizeOnlyIfBigger, OutputFormat outputFormat,
      int jpegQuality, long maxPixels, int minSide, double maxAspectRatio, boolean reducedDecode,
      JpegLibrary jpegLibrary)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** What processing gave. */
  public sealed interface Result permits Processed, Rejected {}

  /** An image ready to store. */
  public record Processed(byte[] bytes, String format, int width, int height, int originalWidth,
      int originalHeight, long phash) implements Result {}

  /** Why an image was not stored. */
  public record Rejected(PairStatus status, String message) implements Result {}

  static {
    ImageIO.scanForPlugins(); // TwelveMonkeys' readers, also under Spark's child class loaders
  }

  private final Settings s;
  private final JpegLibrary jpegLibrary;

  /**
   * @throws IllegalStateException when the settings require a JPEG library this JVM cannot load
   */
  public ImageProcessor(Settings settings) {
    this.s = settings;
    this.jpegLibrary = settings.jpegLibrary().resolve();
  }

  /** The library that decodes and encodes JPEGs here: {@link JpegLibrary#OPENCV} or {@link JpegLibrary#TURBOJPEG}. */
  public JpegLibrary jpegLibrary() {
    return jpegLibrary;
  }

  public Result process(byte[] bytes) {
    Optional<ImageFormat> format = ImageFormat.sniff(bytes);
    if (format.isEmpty()) {
      return new Rejected(PairStatus.FAILED_TO_DECODE, "not an image: " + ImageFormat.describeStart(bytes));
    }
    // cached in memory: ImageIO's default stream would copy the bytes to a temporary file first
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
        PointerScope nativeMemory = new PointerScope()) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return new Rejected(PairStatus.FAILED_TO_DECODE, "no decoder for " + format.get());
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);    // from the header: nothing is decoded before the checks
        int h = reader.getHeight(0);
        Optional<Rejected> invalid = validate(w, h);
        if (invalid.isPresent()) {
          return invalid.get();
        }
        boolean jpeg = format.get() == ImageFormat.JPEG;
        if (jpeg && !endsWithEoi(bytes)) {
          return new Rejected(PairStatus.FAILED_TO_DECODE, "truncated JPEG: no end-of-image marker");
        }
        int orientation = jpeg ? ExifOrientation.read(bytes) : 1;
        Mat decoded;
        if (jpeg) {
          decoded = jpegLibrary.decode(bytes, reduction(w, h, format.get()));
          if (decoded.empty()) {
            return new Rejected(PairStatus.FAILED_TO_DECODE, "corrupt image: libjpeg-turbo cannot decode it");
          }
        } else {
          List<String> warnings = new ArrayList<>();
          BufferedImage image = readWithImageIo(reader, warnings);
          if (!warnings.isEmpty()) {
            return new Rejected(PairStatus.FAILED_TO_DECODE, "corrupt image: " + warnings.get(0));
          }
          decoded = OpenCvImages.fromImage(toRgb(image));
        }
        Mat upright = OpenCvImages.orient(decoded, orientation);
        int ow = orientation >= 5 ? h : w;
        int oh = orientation >= 5 ? w : h;
        Mat out = Resizer.resize(upright, s.resizeMode(), s.size(), s.resizeOnlyIfBigger(), ow, oh);
        byte[] encoded = switch (s.outputFormat()) {
          case PNG -> OpenCvImages.encodePng(out);
          case JPEG -> jpegLibrary.encode(out, s.jpegQuality());
        };
        return new Processed(encoded, s.outputFormat().value(), out.cols(), out.rows(), ow, oh,
            PerceptualHash.of(out));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return new Rejected(PairStatus.FAILED_TO_DECODE, "cannot decode " + format.get() + ": " + e);
    } catch (OutOfMemoryError e) {
      return new Rejected(PairStatus.FAILED_VALIDATION, "out of memory decoding the image");
    }
  }

  Optional<Rejected> validate(int w, int h) {
    if ((long) w * h > s.maxPixels()) {
      return Optional.of(new Rejected(PairStatus.FAILED_VALIDATION, "too many pixels (decompression bomb?): "
          + w + "x" + h + " > " + s.maxPixels()));
    }
    if (Math.min(w, h) < s.minSide()) {
      return Optional.of(new Rejected(PairStatus.FAILED_VALIDATION, "too small: " + w + "x" + h + ", smaller side < "
          + s.minSide()));
    }
    double aspect = Math.max(w, h) / (double) Math.max(1, Math.min(w, h));
    if (aspect > s.maxAspectRatio()) {
      return Optional.of(new Rejected(PairStatus.FAILED_VALIDATION, String.format(
          "aspect ratio %.1f > %.1f (%dx%d)", aspect, s.maxAspectRatio(), w, h)));
    }
    return Optional.empty();
  }

  /**
   * The reduced-scale decode factor for a JPEG (1, 2, 4 or 8, what libjpeg does in the DCT): the largest that keeps
   * at least twice the resolution the resize needs, so the area average still has pixels to average.
   */
  int reduction(int w, int h, ImageFormat format) {
    if (!s.reducedDecode() || format != ImageFormat.JPEG
        || !Resizer.resizes(w, h, s.resizeMode(), s.size(), s.resizeOnlyIfBigger())) {
      return 1;
    }
    int[] target = Resizer.scaledSize(w, h, s.resizeMode(), s.size(), s.resizeOnlyIfBigger());
    int factor = Math.min(w / Math.max(1, target[0]), h / Math.max(1, target[1])) / 2;
    int reduction = 1;
    for (int r : OpenCvImages.REDUCTIONS) {
      if (r <= factor) {
        reduction = r;
      }
    }
    return reduction;
  }

  /** A non-JPEG image through ImageIO (PNG, GIF, BMP, WebP), its decoder's warnings collected. */
  private static BufferedImage readWithImageIo(ImageReader reader, List<String> warnings) throws IOException {
    reader.addIIOReadWarningListener(new IIOReadWarningListener() {
      @Override
      public void warningOccurred(ImageReader source, String warning) {
        warnings.add(warning);
      }
    });
    return reader.read(0, reader.getDefaultReadParam());
  }

  private static boolean endsWithEoi(byte[] b) {
    for (int i = b.length - 1; i >= Math.max(1, b.length - 4096); i--) { // EOI may be followed by padding
      if ((b[i - 1] & 0xFF) == 0xFF && (b[i] & 0xFF) == 0xD9) {
        return true;
      }
    }
    return false;
  }

  static BufferedImage toRgb(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_INT_RGB) {
      return img;
    }
    BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.drawImage(img, 0, 0, null);
    g.dispose();
    return rgb;
  }
}
