package io.sparkvlm.core.model;

import io.sparkvlm.core.image.ImageCodecs;
import java.awt.image.BufferedImage;

/**
 * What a vision-language model is shown: the real image, or one blank mid-grey image in place of every image (the
 * blind baseline: the same model and text with no visual information; train and evaluate it the same way).
 */
public enum ImageInput {
  REAL,
  BLANK;

  /** The mid-grey square every image becomes under {@link #BLANK} (PNG, resized like any input). */
  private static final byte[] BLANK_PNG = blankPng();

  /** The image this input shows in place of {@code image}. */
  public byte[] apply(byte[] image) {
    return this == REAL ? image : BLANK_PNG;
  }

  private static byte[] blankPng() {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        img.setRGB(x, y, 0x808080);
      }
    }
    return ImageCodecs.png(img);
  }
}
