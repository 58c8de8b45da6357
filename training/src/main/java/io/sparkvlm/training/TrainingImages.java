package io.sparkvlm.training;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.VisionTower;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/** A training image as a model sees it: decoded, randomly cropped (seeded by the data position) and resized. */
public final class TrainingImages {
  private TrainingImages() {}

  /**
   * The pixels of item {@code key}'s image in {@code epoch}: a random square crop of at least {@code minCropScale}
   * of the area (of the padded square for a tower that pads, as LLaVA-1.5 trains), the same for the same (seed,
   * epoch, key) whatever the partitioning, resized to {@code vision}'s image size with its interpolation. An image
   * that does not decode is an error naming the item.
   */
  public static float[] cropped(byte[] image, String key, long seed, int epoch, double minCropScale,
      VisionTower vision) {
    BufferedImage decoded;
    try {
      decoded = ClipInputs.decode(image);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("item " + key + ": " + e.getMessage(), e);
    }
    SplittableRandom r = new SplittableRandom(EpochBatches.order(seed, epoch, key) ^ 0x5DEECE66DL);
    ClipInputs.Crop crop = ClipInputs.Crop.random(decoded.getWidth(), decoded.getHeight(), minCropScale, r,
        vision.preprocess().resize());
    return ClipInputs.pixels(decoded, crop, vision.imageSize(), vision.preprocess());
  }
}
