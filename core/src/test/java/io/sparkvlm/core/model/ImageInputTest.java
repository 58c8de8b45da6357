package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageInputTest {
  @Test
  void blankShowsOneGreyImageWhateverItIsGivenAndRealShowsTheImage() throws Exception {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    img.setRGB(1, 2, 0xff0000);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    byte[] real = png.toByteArray();
    assertThat(ImageInput.REAL.apply(real)).isSameAs(real);
    byte[] blank = ImageInput.BLANK.apply(real);
    assertThat(ImageInput.BLANK.apply(new byte[] {1, 2, 3})).isEqualTo(blank);
    float[] pixels = ClipInputs.pixels(blank, 16);
    float[] other = ClipInputs.pixels(ImageInput.BLANK.apply(real), 16);
    assertThat(pixels).containsExactly(other);
    // one value per channel: nothing of the image is left
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 16 * 16; i++) {
        assertThat(pixels[c * 256 + i]).isEqualTo(pixels[c * 256]);
      }
    }
  }
}
