package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.image.Resample;
import io.sparkvlm.core.io.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pixels a model is shown equal what OpenCLIP's evaluation transform (and LLaVA-1.5's padding) makes with Pillow,
 * to the bit: goldens from scripts/fixtures/make_pil_resize_goldens.py (Pillow 12.3), under
 * core/src/test/resources/image-preprocess.
 */
class PillowParityTest {
  private static final String DIR = "/image-preprocess/";

  static Stream<JsonNode> cases() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = PillowParityTest.class.getResourceAsStream(DIR + "cases.json")) {
      Json.MAPPER.readTree(in).get("cases").forEach(out::add);
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void equalsPillow(JsonNode c) throws IOException {
    int[] expected = ClipInputs.rgb(image(c.get("expected").asText()));
    switch (c.get("kind").asText()) {
      case "resize" -> {
        BufferedImage in = image(c.get("input").asText());
        int[] got = Resample.resize(ClipInputs.rgb(in), in.getWidth(), in.getHeight(), c.get("width").asInt(),
            c.get("height").asInt(), ImagePreprocess.interpolation(c.get("filter").asText()));
        assertThat(got).containsExactly(expected);
      }
      case "openclip", "llava" -> {
        BufferedImage in = image(c.get("input").asText());
        ImagePreprocess p = new ImagePreprocess(ImagePreprocess.resizeMode(c.get("resize_mode").asText()),
            ImagePreprocess.interpolation(c.get("filter").asText()), c.get("fill_color").asInt());
        int size = c.get("size").asInt();
        assertThat(ClipInputs.square(ClipInputs.rgb(in), in.getWidth(), in.getHeight(), p, size))
            .containsExactly(expected);
        // and what the model is fed: the same pixels, normalised
        float[] chw = ClipInputs.pixels(in, p, size);
        int at = size * (size / 2) + size / 3;
        assertThat(chw[at]).isEqualTo((((expected[at] >> 16) & 0xff) / 255f - ClipInputs.MEAN[0]) / ClipInputs.STD[0]);
      }
      case "decode" -> {
        // a grey JPEG: Pillow's convert("RGB") repeats the level; the JPEG decoders may differ by one
        byte[] bytes;
        try (InputStream in = PillowParityTest.class.getResourceAsStream(DIR + c.get("input").asText())) {
          bytes = in.readAllBytes();
        }
        int[] got = ClipInputs.rgb(ClipInputs.decode(bytes));
        assertThat(got).hasSameSizeAs(expected);
        int worst = 0;
        for (int i = 0; i < got.length; i++) {
          for (int shift = 0; shift <= 16; shift += 8) {
            worst = Math.max(worst, Math.abs(((got[i] >> shift) & 0xff) - ((expected[i] >> shift) & 0xff)));
          }
        }
        assertThat(worst).as("largest difference per channel").isLessThanOrEqualTo(1);
      }
      default -> throw new IllegalArgumentException("unknown case " + c);
    }
  }

  /** The bytes of ImageIO's usual pixel layouts are read directly; any layout gives the same pixels. */
  @org.junit.jupiter.api.Test
  void everyPixelLayoutReadsTheSame() throws IOException {
    BufferedImage decoded = image("wide.png");
    assertThat(decoded.getType()).isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
    int[] direct = ClipInputs.rgb(decoded);
    for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_4BYTE_ABGR,
        BufferedImage.TYPE_INT_BGR}) {
      BufferedImage copy = new BufferedImage(decoded.getWidth(), decoded.getHeight(), type);
      copy.getGraphics().drawImage(decoded, 0, 0, null);
      assertThat(ClipInputs.rgb(copy)).as("type " + type).containsExactly(direct);
    }
    // a sub-image shares its parent's bytes at an offset: read through getRGB
    BufferedImage sub = decoded.getSubimage(3, 2, 20, 10);
    int[] cut = ClipInputs.rgb(sub);
    assertThat(cut[0]).isEqualTo(direct[2 * decoded.getWidth() + 3]);
    assertThat(cut[cut.length - 1]).isEqualTo(direct[11 * decoded.getWidth() + 22]);
  }

  private static BufferedImage image(String name) throws IOException {
    try (InputStream in = PillowParityTest.class.getResourceAsStream(DIR + name)) {
      return ImageIO.read(in);
    }
  }
}
