package io.sparkvlm.instruct;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ImagePreprocess;
import io.sparkvlm.core.model.VisionTower;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Fusion;
import io.sparkvlm.core.model.layers.VisionFeatures;

/**
 * How the vision tower feeds the LM, as LLaVA names it: the connector ({@code mm_projector_type}), the block whose
 * output is read ({@code mm_vision_select_layer}: -1 the last block, -2 the penultimate, LLaVA's default) and which
 * of its tokens ({@code mm_vision_select_feature}: patch, LLaVA's default, drops the class token; cls-patch keeps
 * it), and how the visual tokens reach the LM ({@code fusion}: LLaVA's prefix, or Flamingo's gated cross-attention
 * in front of every {@code cross-attention-every}-th LM block), and how images are fitted to the tower's square
 * ({@code image_aspect_ratio}).
 */
record VisionSettings(Connector connector, int selectLayer, VisionFeatures features, Fusion fusion,
    ImageAspectRatio imageAspectRatio) {

  /** LLaVA's {@code image_aspect_ratio}. */
  enum ImageAspectRatio {
    /** LLaVA v1's: the image as the CLIP prepares it ({@code model.vision.resize}: the centre square, as a rule). */
    SQUARE,
    /** LLaVA-1.5's: expanded to a square on CLIP's mean colour, so nothing is cut off, then resized. */
    PAD
  }

  static VisionSettings from(ConfigReader c, String section) {
    String p = section + ".";
    int layer = c.intIn(p + "vision-select-layer", -64, 64);
    if (layer == 0) {
      throw new ConfigError(p + "vision-select-layer", "Config key '" + p + "vision-select-layer' = 0: use a block "
          + "number from 1, or -1 for the last block, -2 for the penultimate");
    }
    Connector connector;
    try {
      connector = Connector.of(c.nonEmptyString(p + "connector"), c.intIn(p + "resampler-queries", 1, 4096));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(p + "connector", "Config key '" + p + "connector': " + e.getMessage(), e);
    }
    Fusion fusion;
    try {
      fusion = Fusion.of(c.nonEmptyString(p + "fusion"), c.intIn(p + "cross-attention-every", 1, 64));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(p + "fusion", "Config key '" + p + "fusion': " + e.getMessage(), e);
    }
    return new VisionSettings(connector, layer, c.oneOf(p + "vision-select-feature", VisionFeatures.class), fusion,
        c.oneOf(p + "image-aspect-ratio", ImageAspectRatio.class));
  }

  /** The vision tower of {@code clip} as the vision-language model reads its images. */
  VisionTower tower(ClipShape clip) {
    VisionTower tower = clip.visionTower();
    return imageAspectRatio == ImageAspectRatio.PAD ? tower.withResize(ImagePreprocess.ResizeMode.PAD) : tower;
  }

  /** Blocks of {@code tower} the features come from; an error naming the key when the tower has fewer. */
  int visionLayers(VisionTower tower, String section) {
    int blocks = tower.tower().layers();
    int n = selectLayer > 0 ? selectLayer : blocks + 1 + selectLayer;
    if (n < 1 || n > blocks) {
      throw new ConfigError(section + ".vision-select-layer", "Config key '" + section + ".vision-select-layer' = "
          + selectLayer + " does not name a block of a vision tower with " + blocks + " blocks");
    }
    return n;
  }
}
