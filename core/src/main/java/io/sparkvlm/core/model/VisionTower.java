package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.VisionFeatures;

/**
 * A ViT image tower's shape, the part of a CLIP that other models reuse (a vision-language model's vision side,
 * BLIP's matching model): image and patch size, the transformer tower, and how images are made its input. Its
 * parameters and FLOPs for the first {@code layers} blocks.
 */
public record VisionTower(int imageSize, int patchSize, ClipShape.Tower tower, ImagePreprocess preprocess)
    implements java.io.Serializable {

  public VisionTower {
    // shapes written before the setting: what spark-vlm's preprocessing was
    preprocess = preprocess == null ? ImagePreprocess.DEFAULT : preprocess;
  }

  /** A tower whose images are prepared the default way ({@link ImagePreprocess#DEFAULT}). */
  public VisionTower(int imageSize, int patchSize, ClipShape.Tower tower) {
    this(imageSize, patchSize, tower, ImagePreprocess.DEFAULT);
  }

  /** The same tower, its images fitted to the square by {@code mode} (LLaVA-1.5's padding, for instance). */
  public VisionTower withResize(ImagePreprocess.ResizeMode mode) {
    return new VisionTower(imageSize, patchSize, tower, preprocess.withResize(mode));
  }

  public int patches() {
    return (imageSize / patchSize) * (imageSize / patchSize);
  }

  /** Tokens out of the tower: class token and patches. */
  public int tokens() {
    return patches() + 1;
  }

  /** Patch embedding (a convolution without bias), class token, positions, ln_pre. */
  public long stemParams() {
    long w = tower.width();
    return 3L * patchSize * patchSize * w + w + (long) tokens() * w + 2 * w;
  }

  public long stemFlops() {
    return 2L * patches() * (3L * patchSize * patchSize) * tower.width();
  }

  /** Stem and the first {@code layers} blocks. */
  public long params(int layers) {
    return stemParams() + layers * tower.blockParams();
  }

  /** Forward FLOPs of one image through the stem and the first {@code layers} blocks. */
  public long forwardFlops(int layers) {
    return stemFlops() + layers * tower.blockFlops(tokens());
  }

  /** Tokens a connector reading {@code features} gets. */
  public int featureTokens(VisionFeatures features) {
    return features.tokens(patches());
  }
}
