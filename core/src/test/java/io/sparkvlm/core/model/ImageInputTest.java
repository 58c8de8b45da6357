package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.image.Resample;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageInputTest {
  private static final VisionTower SIXTEEN = new VisionTower(16, 8, new ClipShape.Tower(8, 1, 1, 1));

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
    float[] pixels = ClipInputs.pixels(blank, SIXTEEN);
    float[] other = ClipInputs.pixels(ImageInput.BLANK.apply(real), SIXTEEN);
    assertThat(pixels).containsExactly(other);
    // one value per channel: nothing of the image is left
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 16 * 16; i++) {
        assertThat(pixels[c * 256 + i]).isEqualTo(pixels[c * 256]);
      }
    }
  }

  /** The padded frame shows the whole of a wide image, the strips above and below it at the mean (zero). */
  @Test
  void aPaddedCropShowsTheWholeImageWithZerosAroundIt() {
    BufferedImage wide = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 16; x++) {
        wide.setRGB(x, y, x < 2 ? 0x0000ff : 0xff0000); // a blue strip at the left edge, which a centre crop cuts
      }
    }
    ClipInputs.Crop crop = ClipInputs.Crop.padded(16, 8);
    assertThat(crop).isEqualTo(new ClipInputs.Crop(0, -4, 16, 16));
    float[] chw = ClipInputs.pixels(wide, crop, 16, Resample.Filter.BILINEAR);
    int plane = 16 * 16;
    for (int x = 0; x < 16; x++) {
      for (int c = 0; c < 3; c++) {
        assertThat(chw[c * plane + x]).as("top padding, column " + x).isCloseTo(0f, org.assertj.core.data.Offset
            .offset(0.02f));
        assertThat(chw[c * plane + 15 * 16 + x]).as("bottom padding").isCloseTo(0f, org.assertj.core.data.Offset
            .offset(0.02f));
      }
    }
    // the image's rows 4..11: red in the middle, the blue strip at the left
    float red = (1f - ClipInputs.MEAN[0]) / ClipInputs.STD[0];
    float blue = (1f - ClipInputs.MEAN[2]) / ClipInputs.STD[2];
    assertThat(chw[8 * 16 + 8]).isCloseTo(red, org.assertj.core.data.Offset.offset(0.02f));
    assertThat(chw[2 * plane + 8 * 16]).isCloseTo(blue, org.assertj.core.data.Offset.offset(0.02f));
  }
}
