package io.sparkvlm.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.image.ImageCodecs;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ImagePreprocess;
import io.sparkvlm.core.model.VisionTower;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training crops are framed as the tower's evaluation frames images: LLaVA's padding in training too. */
class TrainingImagesTest {
  static final VisionTower SQUARE = new VisionTower(16, 8, new ClipShape.Tower(8, 1, 1, 1));
  static final VisionTower PADDED = SQUARE.withResize(ImagePreprocess.ResizeMode.PAD);

  /** A 40 x 20 image: red on its left half, blue on its right. */
  static byte[] wide() {
    BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 40; x++) {
        img.setRGB(x, y, x < 20 ? 0xff0000 : 0x0000ff);
      }
    }
    return ImageCodecs.png(img);
  }

  @Test
  void aPaddingTowerTrainsOnThePaddedSquareThatEvaluationSees() {
    byte[] image = wide();
    // the whole crop scale: exactly evaluation's pixels (LLaVA-1.5 trains without random crops)
    assertThat(TrainingImages.cropped(image, "k", 1, 0, 1.0, PADDED))
        .containsExactly(ClipInputs.pixels(image, PADDED));
    float[] padded = TrainingImages.cropped(image, "k", 1, 0, 1.0, PADDED);
    assertThat(padded[0]).as("top-left red channel: LLaVA's background, 122")
        .isEqualTo((122 / 255f - ClipInputs.MEAN[0]) / ClipInputs.STD[0]);
    // a centre-cropping tower sees no padding: its top-left is the image's red
    assertThat(TrainingImages.cropped(image, "k", 1, 0, 1.0, SQUARE)[0])
        .isEqualTo((255 / 255f - ClipInputs.MEAN[0]) / ClipInputs.STD[0]);
    // random crops stay in the padded square: each covers at least half its side, and reaches the padding at most
    for (long seed = 0; seed < 200; seed++) {
      ClipInputs.Crop c = ClipInputs.Crop.random(40, 20, 0.25, new SplittableRandom(seed),
          ImagePreprocess.ResizeMode.PAD);
      assertThat(c.width()).isEqualTo(c.height()).isBetween(20, 40);
      assertThat(c.x()).isBetween(0, 40 - c.width());
      assertThat(c.y()).isBetween(-10, 30 - c.height());
    }
  }
}
