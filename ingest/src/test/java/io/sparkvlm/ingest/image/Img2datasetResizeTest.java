package io.sparkvlm.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The processor's pixels against img2dataset's resizer (cv2 decode, albumentations' resize, pad and crop), on the
 * committed goldens of scripts/fixtures/make_resize_goldens.py: JPEGs shrunk (area) and enlarged (Lanczos) in every
 * mode, and a PNG with alpha matted on white. Full-scale decoding, PNG output, so only decoding and resizing count.
 * With each JPEG library (the system's TurboJPEG is installed by the test command).
 */
class Img2datasetResizeTest {
  static final String DIR = "/img2dataset-resize/";

  static byte[] resource(String name) throws IOException {
    try (InputStream in = Img2datasetResizeTest.class.getResourceAsStream(DIR + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @EnumSource(value = JpegLibrary.class, names = {"OPENCV", "TURBOJPEG"})
  void everyCaseIsWithinOneLevelPerChannelOfImg2dataset(JpegLibrary library) throws Exception {
    JsonNode cases = new ObjectMapper().readTree(resource("cases.json")).get("cases");
    assertThat(cases).hasSizeGreaterThanOrEqualTo(9);
    List<String> report = new ArrayList<>();
    for (JsonNode c : cases) {
      ResizeMode mode = ResizeMode.valueOf(c.get("mode").asText().toUpperCase(Locale.ROOT).replace('-', '_'));
      ImageProcessor p = new ImageProcessor(new ImageProcessor.Settings(mode, c.get("size").asInt(), false,
          OutputFormat.PNG, 95, 50_000_000L, 8, 20, false, library));
      ImageProcessor.Result r = p.process(resource(c.get("input").asText()));
      assertThat(r).as(c.toString()).isInstanceOf(ImageProcessor.Processed.class);
      BufferedImage ours = ImageIO.read(new ByteArrayInputStream(((ImageProcessor.Processed) r).bytes()));
      BufferedImage theirs = ImageIO.read(new ByteArrayInputStream(resource(c.get("expected").asText())));
      assertThat(new int[] {ours.getWidth(), ours.getHeight()}).as(c.toString())
          .isEqualTo(new int[] {theirs.getWidth(), theirs.getHeight()});
      int worst = 0;
      long equal = 0;
      for (int y = 0; y < ours.getHeight(); y++) {
        for (int x = 0; x < ours.getWidth(); x++) {
          int a = ours.getRGB(x, y);
          int b = theirs.getRGB(x, y);
          int d = 0;
          for (int shift = 0; shift <= 16; shift += 8) {
            d = Math.max(d, Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)));
          }
          worst = Math.max(worst, d);
          equal += d == 0 ? 1 : 0;
        }
      }
      report.add(String.format("%s: %s %s %d: max diff %d, %.1f%% of pixels equal", library, c.get("input").asText(),
          c.get("mode").asText(), c.get("size").asInt(), worst, 100.0 * equal / (ours.getWidth() * ours.getHeight())));
      assertThat(worst).as(report.get(report.size() - 1)).isLessThanOrEqualTo(1);
    }
    report.forEach(System.out::println);
  }
}
