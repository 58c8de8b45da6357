package io.sparkvlm.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.image.ImageFormat;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class ImageProcessorTest {
  static ImageProcessor processor(ResizeMode mode, int size) {
    return new ImageProcessor(new ImageProcessor.Settings(mode, size, false, OutputFormat.JPEG, 95, 50_000_000L, 8, 20,
        true, JpegLibrary.AUTO));
  }

  static BufferedImage picture(int w, int h, int type) {
    BufferedImage img = new BufferedImage(w, h, type);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(30, 90, 160));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(220, 50, 40));
    g.fillOval(w / 4, h / 4, w / 2, h / 2);
    g.setColor(Color.YELLOW);
    g.fillRect(0, 0, Math.max(1, w / 8), Math.max(1, h / 8)); // top-left marker
    g.dispose();
    return img;
  }

  static byte[] encode(BufferedImage img, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).as(format).isTrue();
    return out.toByteArray();
  }

  static BufferedImage decode(byte[] b) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(b));
  }

  static ImageProcessor.Processed ok(ImageProcessor.Result r) {
    assertThat(r).as(r.toString()).isInstanceOf(ImageProcessor.Processed.class);
    return (ImageProcessor.Processed) r;
  }

  @Test
  void decodesEveryFormatToRgbAndResizes() throws Exception {
    for (String format : new String[] {"jpeg", "png", "gif", "bmp"}) {
      byte[] in = encode(picture(120, 80, format.equals("bmp") || format.equals("jpeg")
          ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB), format);
      ImageProcessor.Processed p = ok(processor(ResizeMode.BORDER, 64).process(in));
      assertThat(p.format()).isEqualTo("jpeg");
      assertThat(p.width()).isEqualTo(64);
      assertThat(p.height()).isEqualTo(64);
      assertThat(p.originalWidth()).isEqualTo(120);
      assertThat(p.originalHeight()).isEqualTo(80);
      BufferedImage out = decode(p.bytes());
      assertThat(out.getWidth()).isEqualTo(64);
      // border mode pads top and bottom with white, as img2dataset: 120x80 -> 64x43 centred
      Color border = new Color(out.getRGB(32, 2));
      assertThat(Math.min(border.getRed(), Math.min(border.getGreen(), border.getBlue()))).isGreaterThan(235);
      assertThat(new Color(out.getRGB(32, 32)).getRed()).isGreaterThan(180); // the red disc
    }
  }

  @Test
  void decodesWebp() throws Exception {
    byte[] webp;
    try (InputStream in = getClass().getResourceAsStream("/images/shapes.webp")) {
      webp = in.readAllBytes();
    }
    assertThat(ImageFormat.sniff(webp)).contains(ImageFormat.WEBP);
    ImageProcessor.Processed p = ok(processor(ResizeMode.NO, 64).process(webp));
    assertThat(p.width()).isEqualTo(96);
    assertThat(p.height()).isEqualTo(64);
    Color disc = new Color(decode(p.bytes()).getRGB(40, 30));
    assertThat(disc.getRed()).isGreaterThan(180);
    assertThat(disc.getBlue()).isLessThan(90);
  }

  @Test
  void resizeModesGiveImg2datasetsSizes() throws Exception {
    byte[] in = encode(picture(200, 100, BufferedImage.TYPE_INT_RGB), "png");
    int[][] expected = {{200, 100}, {64, 64}, {128, 64}, {64, 32}, {64, 64}};
    ResizeMode[] modes = {ResizeMode.NO, ResizeMode.BORDER, ResizeMode.KEEP_RATIO, ResizeMode.KEEP_RATIO_LARGEST,
        ResizeMode.CENTER_CROP};
    for (int i = 0; i < modes.length; i++) {
      ImageProcessor.Processed p = ok(processor(modes[i], 64).process(in));
      assertThat(new int[] {p.width(), p.height()}).as(modes[i].toString()).isEqualTo(expected[i]);
    }
    // resize-only-if-bigger: a small image is padded but not enlarged
    ImageProcessor small = new ImageProcessor(new ImageProcessor.Settings(ResizeMode.KEEP_RATIO, 256, true,
        OutputFormat.PNG, 95, 50_000_000L, 8, 20, true, JpegLibrary.AUTO));
    ImageProcessor.Processed p = ok(small.process(in));
    assertThat(new int[] {p.width(), p.height()}).isEqualTo(new int[] {200, 100});
    assertThat(p.format()).isEqualTo("png");
  }

  @Test
  void areaAverageDownscaleIsTheExactMean() {
    BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    int[] values = {0, 100, 200, 40, 10, 30, 50, 70};
    for (int i = 0; i < 8; i++) {
      img.setRGB(i % 4, i / 4, values[i] << 16);
    }
    try (PointerScope scope = new PointerScope()) {
      Mat m = OpenCvImages.fromImage(img);
      BufferedImage half = OpenCvTestImages.toImage(Resizer.scale(m, 2, 1, true));
      assertThat((half.getRGB(0, 0) >> 16) & 0xFF).isEqualTo(35); // (0+100+10+30)/4
      assertThat((half.getRGB(1, 0) >> 16) & 0xFF).isEqualTo(90); // (200+40+50+70)/4
      BufferedImage third = OpenCvTestImages.toImage(Resizer.scale(m, 3, 1, true)); // each output covers 4/3 columns
      // first output pixel: columns 0 (weight 1) and 1 (weight 1/3), both rows; mean = (0+10 + (100+30)/3)/ (2*4/3)
      assertThat((third.getRGB(0, 0) >> 16) & 0xFF).isEqualTo((int) Math.round((10 + 130 / 3.0) / (8 / 3.0)));
    }
  }

  @Test
  void refusesDecompressionBombsFromTheHeaderAndTinyOrThinImages() throws Exception {
    byte[] bomb = io.sparkvlm.synth.SimulatedWebAccess.bombPng();
    ImageProcessor.Result r = processor(ResizeMode.BORDER, 64).process(bomb);
    assertThat(r).isEqualTo(new ImageProcessor.Rejected(PairStatus.FAILED_VALIDATION,
        "too many pixels (decompression bomb?): 40000x40000 > 50000000"));
    ImageProcessor.Result tiny = processor(ResizeMode.BORDER, 64).process(encode(picture(5, 30,
        BufferedImage.TYPE_INT_RGB), "png"));
    assertThat(((ImageProcessor.Rejected) tiny).status()).isEqualTo(PairStatus.FAILED_VALIDATION);
    ImageProcessor.Result thin = processor(ResizeMode.BORDER, 64).process(encode(picture(500, 10,
        BufferedImage.TYPE_INT_RGB), "png"));
    assertThat(((ImageProcessor.Rejected) thin).message()).contains("aspect ratio 50.0 > 20.0");
  }

  @Test
  void truncatedJpegsAndHtmlAreDecodeFailures() throws Exception {
    byte[] jpeg = encode(picture(120, 80, BufferedImage.TYPE_INT_RGB), "jpeg");
    ImageProcessor.Result r = processor(ResizeMode.BORDER, 64).process(Arrays.copyOf(jpeg, jpeg.length / 2));
    assertThat(r).isInstanceOf(ImageProcessor.Rejected.class);
    assertThat(((ImageProcessor.Rejected) r).status()).isEqualTo(PairStatus.FAILED_TO_DECODE);
    ImageProcessor.Result html = processor(ResizeMode.BORDER, 64).process("<!doctype html><p>hi".getBytes());
    assertThat(((ImageProcessor.Rejected) html).message()).isEqualTo("not an image: starts with '<!doctype html><p>hi'");
  }

  @Test
  void largeJpegsAreDecodedAtAReducedScale() throws Exception {
    ImageProcessor p = processor(ResizeMode.BORDER, 64);
    assertThat(p.reduction(1600, 1200, ImageFormat.JPEG)).isEqualTo(8); // keeps >= 2x the 64 px target
    assertThat(p.reduction(1000, 750, ImageFormat.JPEG)).isEqualTo(4);  // 7x would do; libjpeg does 1, 2, 4, 8
    assertThat(p.reduction(1600, 1200, ImageFormat.PNG)).isEqualTo(1);
    assertThat(p.reduction(100, 100, ImageFormat.JPEG)).isEqualTo(1);
    byte[] big = encode(picture(1600, 1200, BufferedImage.TYPE_INT_RGB), "jpeg");
    ImageProcessor.Processed out = ok(p.process(big));
    assertThat(out.originalWidth()).isEqualTo(1600);
    assertThat(new Color(decode(out.bytes()).getRGB(32, 32)).getRed()).isGreaterThan(180);
  }

  @Test
  void perceptualHashesAreCloseForCopiesAndFarForDifferentImages() throws Exception {
    BufferedImage a = picture(120, 80, BufferedImage.TYPE_INT_RGB);
    long h1 = OpenCvTestImages.hash(a);
    BufferedImage smaller;
    try (PointerScope scope = new PointerScope()) {
      smaller = OpenCvTestImages.toImage(Resizer.scale(OpenCvImages.fromImage(a), 90, 60, true));
    }
    long h2 = OpenCvTestImages.hash(decode(ImageProcessorTest.encode(smaller, "jpeg")));
    assertThat(PerceptualHash.distance(h1, h2)).isLessThanOrEqualTo(4);
    BufferedImage b = picture(120, 80, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = b.createGraphics();
    g.setColor(Color.GREEN);
    g.fillRect(60, 0, 60, 80);
    g.dispose();
    assertThat(PerceptualHash.distance(h1, OpenCvTestImages.hash(b))).isGreaterThan(2 * 4); // twice the default threshold
  }
}
