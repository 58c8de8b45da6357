package io.sparkvlm.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.NodeList;

/**
 * The system's TurboJPEG library against OpenCV's bundled libjpeg-turbo: the same pixels from every kind of JPEG at
 * every reduced scale, and the same bytes out of the encoder, so {@code ingest.image.jpeg-library} changes only the
 * speed. The test command (run-tests) installs the library (Debian's libturbojpeg0).
 */
class TurboJpegTest {

  @BeforeAll
  static void theLibraryLoads() {
    assertThat(TurboJpeg.loadFailure()).as("libturbojpeg must load for these tests (run-tests installs Debian's "
        + "libturbojpeg0)").isEmpty();
    assertThat(JpegLibrary.AUTO.resolve()).isEqualTo(JpegLibrary.TURBOJPEG);
    assertThat(JpegLibrary.OPENCV.resolve()).isEqualTo(JpegLibrary.OPENCV);
    // the shard log's names: OpenCV's explains a missing system library only when there is one
    assertThat(JpegLibrary.TURBOJPEG.describe()).isEqualTo("turbojpeg");
    assertThat(JpegLibrary.OPENCV.describe()).isEqualTo("opencv");
  }

  @Test
  void withoutTheSystemLibraryAutoFallsBackAndTurbojpegIsRefusedNamingThePackage() {
    Optional<String> missing = Optional.of("Unable to load library 'turbojpeg'");
    assertThat(JpegLibrary.AUTO.resolve(missing)).isEqualTo(JpegLibrary.OPENCV);
    assertThat(JpegLibrary.OPENCV.resolve(missing)).isEqualTo(JpegLibrary.OPENCV);
    assertThat(JpegLibrary.OPENCV.describe(missing))
        .isEqualTo("opencv (libturbojpeg did not load: Unable to load library 'turbojpeg')");
    assertThatThrownBy(() -> JpegLibrary.TURBOJPEG.resolve(missing)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ingest.image.jpeg-library = turbojpeg").hasMessageContaining("libturbojpeg0")
        .hasMessageContaining("Unable to load library 'turbojpeg'");
    assertThat(JpegLibrary.TURBOJPEG.resolve(Optional.empty())).isEqualTo(JpegLibrary.TURBOJPEG);
  }

  /** JPEGs of every kind the decoder meets: baseline 4:2:0, 4:4:4, progressive, greyscale, odd sizes, photos. */
  static Map<String, byte[]> jpegs() throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    BufferedImage picture = ImageProcessorTest.picture(333, 221, BufferedImage.TYPE_INT_RGB);
    out.put("ImageIO baseline 4:2:0, 333x221", ImageProcessorTest.encode(picture, "jpeg"));
    out.put("ImageIO progressive, 333x221", imageIo(picture, true, false));
    out.put("ImageIO 4:4:4, 333x221", imageIo(picture, false, true));
    BufferedImage gray = new BufferedImage(257, 131, BufferedImage.TYPE_BYTE_GRAY);
    gray.getGraphics().drawImage(picture, 0, 0, null);
    out.put("greyscale, 257x131", ImageProcessorTest.encode(gray, "jpeg"));
    try (PointerScope scope = new PointerScope()) {
      Mat bgr = OpenCvImages.fromImage(ImageProcessorTest.picture(301, 199, BufferedImage.TYPE_INT_RGB));
      out.put("OpenCV progressive q80, 301x199", opencv(bgr, opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 80,
          opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1));
    }
    for (String photo : List.of("photo-1024x768.jpg", "photo-500x375.jpg", "portrait-333x500.jpg",
        "small-100x60.jpg")) {
      out.put(photo, Img2datasetResizeTest.resource(photo));
    }
    return out;
  }

  /** The first component's sampling factors (0x22 for 4:2:0, 0x11 for 4:4:4) from the frame header. */
  static int lumaSampling(byte[] jpeg) {
    int i = 2;
    while (i + 4 < jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
      int marker = jpeg[i + 1] & 0xFF;
      int length = ((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF);
      if (marker == 0xC0 || marker == 0xC2) {   // SOF0 baseline, SOF2 progressive
        return jpeg[i + 4 + 6 + 1] & 0xFF;       // precision, height, width, components, then id, sampling
      }
      i += 2 + length;
    }
    throw new IllegalArgumentException("no frame header");
  }

  /** ImageIO's JPEG, progressive or not, its chroma at full resolution (4:4:4) or halved both ways (4:2:0). */
  private static byte[] imageIo(BufferedImage img, boolean progressive, boolean fullChroma) throws Exception {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    if (progressive) {
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    }
    IIOMetadata meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
    if (fullChroma) {
      IIOMetadataNode tree = (IIOMetadataNode) meta.getAsTree(JPEG_METADATA);
      NodeList components = tree.getElementsByTagName("componentSpec");
      for (int i = 0; i < components.getLength(); i++) {
        ((IIOMetadataNode) components.item(i)).setAttribute("HsamplingFactor", "1");
        ((IIOMetadataNode) components.item(i)).setAttribute("VsamplingFactor", "1");
      }
      meta.setFromTree(JPEG_METADATA, tree);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(img, null, meta), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";

  private static byte[] opencv(Mat bgr, int... params) {
    BytePointer out = new BytePointer();
    assertThat(opencv_imgcodecs.imencode(".jpg", bgr, out, new IntPointer(params))).isTrue();
    byte[] b = new byte[(int) out.limit()];
    out.get(b);
    return b;
  }

  static byte[] pixels(Mat bgr) {
    byte[] b = new byte[bgr.rows() * bgr.cols() * bgr.channels()];
    (bgr.isContinuous() ? bgr : bgr.clone()).data().get(b);
    return b;
  }

  @Test
  void theFixturesAreTheKindsTheyClaim() throws Exception {
    Map<String, byte[]> jpegs = jpegs();
    assertThat(lumaSampling(jpegs.get("ImageIO baseline 4:2:0, 333x221"))).isEqualTo(0x22);
    assertThat(lumaSampling(jpegs.get("ImageIO 4:4:4, 333x221"))).isEqualTo(0x11);
    assertThat(jpegs.get("OpenCV progressive q80, 301x199")).containsSubsequence((byte) 0xFF, (byte) 0xC2);
    assertThat(jpegs.get("ImageIO progressive, 333x221")).containsSubsequence((byte) 0xFF, (byte) 0xC2);
  }

  @Test
  void decodesToOpenCvsPixelsAtEveryScale() throws Exception {
    List<String> checked = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : jpegs().entrySet()) {
      for (int reduction : OpenCvImages.REDUCTIONS) {
        try (PointerScope scope = new PointerScope()) {
          Mat theirs = OpenCvImages.decodeJpeg(e.getValue(), reduction);
          Mat ours = JpegLibrary.TURBOJPEG.decode(e.getValue(), reduction);
          String what = e.getKey() + " at 1/" + reduction;
          assertThat(theirs.empty()).as(what).isFalse();
          assertThat(new int[] {ours.cols(), ours.rows(), ours.channels()}).as(what)
              .isEqualTo(new int[] {theirs.cols(), theirs.rows(), 3});
          assertThat(pixels(ours)).as(what).isEqualTo(pixels(theirs));
          checked.add(what);
        }
      }
    }
    assertThat(checked).hasSize(9 * 4);
  }

  @Test
  void encodesOpenCvsBytes() throws Exception {
    try (PointerScope scope = new PointerScope()) {
      for (Map.Entry<String, byte[]> e : jpegs().entrySet()) {
        Mat bgr = OpenCvImages.decodeJpeg(e.getValue(), 1);
        for (int quality : new int[] {95, 75, 30}) {
          assertThat(JpegLibrary.TURBOJPEG.encode(bgr, quality)).as(e.getKey() + " at quality " + quality)
              .isEqualTo(OpenCvImages.encodeJpeg(bgr, quality));
        }
      }
      // a crop (rows longer than the image) and a 1x1 image
      Mat photo = OpenCvImages.decodeJpeg(Img2datasetResizeTest.resource("photo-500x375.jpg"), 1);
      Mat crop = photo.apply(new org.bytedeco.opencv.opencv_core.Rect(13, 7, 101, 55));
      assertThat(crop.isContinuous()).isFalse();
      assertThat(JpegLibrary.TURBOJPEG.encode(crop, 95)).isEqualTo(OpenCvImages.encodeJpeg(crop, 95));
      Mat pixel = photo.apply(new org.bytedeco.opencv.opencv_core.Rect(0, 0, 1, 1));
      assertThat(JpegLibrary.TURBOJPEG.encode(pixel, 95)).isEqualTo(OpenCvImages.encodeJpeg(pixel, 95));
    }
  }

  @Test
  void corruptDataIsRecoveredOrRefusedAsOpenCvDoes() throws Exception {
    byte[] good = Img2datasetResizeTest.resource("photo-500x375.jpg");
    // scan data damaged in the middle: libjpeg warns and recovers, in both
    byte[] damaged = good.clone();
    for (int i = damaged.length / 2; i < damaged.length / 2 + 40; i++) {
      damaged[i] = (byte) 0xA5;
    }
    // the header destroyed after the start-of-image marker: nothing to decode, in both
    byte[] headless = good.clone();
    for (int i = 2; i < 400; i++) {
      headless[i] = 0x11;
    }
    try (PointerScope scope = new PointerScope()) {
      Mat theirs = OpenCvImages.decodeJpeg(damaged, 1);
      Mat ours = JpegLibrary.TURBOJPEG.decode(damaged, 1);
      assertThat(theirs.empty()).isFalse();
      assertThat(pixels(ours)).isEqualTo(pixels(theirs));
      assertThat(OpenCvImages.decodeJpeg(headless, 1).empty()).isTrue();
      assertThat(JpegLibrary.TURBOJPEG.decode(headless, 1).empty()).isTrue();
    }
  }

  @Test
  void theProcessorGivesTheSameBytesWithEitherLibrary() throws Exception {
    for (byte[] jpeg : jpegs().values()) {
      List<byte[]> outputs = new ArrayList<>();
      for (JpegLibrary library : new JpegLibrary[] {JpegLibrary.OPENCV, JpegLibrary.TURBOJPEG}) {
        ImageProcessor p = new ImageProcessor(new ImageProcessor.Settings(ResizeMode.BORDER, 64, false,
            OutputFormat.JPEG, 95, 50_000_000L, 8, 20, true, library));
        assertThat(p.jpegLibrary()).isEqualTo(library);
        outputs.add(ImageProcessorTest.ok(p.process(jpeg)).bytes());
      }
      assertThat(outputs.get(1)).isEqualTo(outputs.get(0));
    }
  }
}
