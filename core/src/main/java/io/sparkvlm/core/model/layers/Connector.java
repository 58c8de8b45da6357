package io.sparkvlm.core.model.layers;

import java.util.Locale;

/**
 * The vision-language connector (LLaVA's {@code mm_projector_type}): one factory over a closed set of kinds, each a
 * layer from a ViT's output tokens [batch, visionWidth, patches + 1] (class token first; {@link VisionFeatures} says
 * which of them are read) to the language model's visual tokens [batch, lmWidth, tokens]:
 * <ul>
 *   <li>{@link Linear}: one projection per token (LLaVA-1);
 *   <li>{@link Mlp2xGelu}: projection, GELU, projection (LLaVA-1.5's {@code mlp2x_gelu});
 *   <li>{@link Resampler}: N learned queries cross-attending to the patches (Flamingo/Qwen-VL's resampler): a fixed
 *       number of visual tokens whatever the image size.
 * </ul>
 */
public sealed interface Connector extends java.io.Serializable
    permits Connector.Linear, Connector.Mlp2xGelu, Connector.Resampler {

  /** LLaVA's name of the kind ({@code mm_projector_type}). */
  String name();

  /** Visual tokens the connector emits for a ViT with {@code patches} patches. */
  int tokens(int patches, VisionFeatures features);

  /** Parameters of the layer. */
  long params(int visionWidth, int lmWidth);

  /** Forward FLOPs (matrix products) of one image through the layer. */
  long forwardFlops(int visionWidth, int lmWidth, int patches, VisionFeatures features);

  /** The layer, for a ViT of {@code visionWidth} with {@code patches} patches, into an LM of {@code lmWidth}. */
  HandLayer layer(int visionWidth, int lmWidth, int patches, VisionFeatures features);

  record Linear() implements Connector {
    @Override
    public String name() {
      return "linear";
    }

    @Override
    public long params(int visionWidth, int lmWidth) {
      return (long) visionWidth * lmWidth + lmWidth;
    }

    @Override
    public long forwardFlops(int visionWidth, int lmWidth, int patches, VisionFeatures features) {
      return 2L * features.tokens(patches) * visionWidth * lmWidth;
    }

    @Override
    public int tokens(int patches, VisionFeatures features) {
      return features.tokens(patches);
    }

    @Override
    public HandLayer layer(int visionWidth, int lmWidth, int patches, VisionFeatures features) {
      return new ConnectorLayer(ConnectorLayer.Kind.LINEAR, visionWidth, lmWidth, patches, features,
          features.tokens(patches));
    }
  }

  record Mlp2xGelu() implements Connector {
    @Override
    public String name() {
      return "mlp2x_gelu";
    }

    @Override
    public long params(int visionWidth, int lmWidth) {
      return (long) visionWidth * lmWidth + lmWidth + (long) lmWidth * lmWidth + lmWidth;
    }

    @Override
    public long forwardFlops(int visionWidth, int lmWidth, int patches, VisionFeatures features) {
      return 2L * features.tokens(patches) * ((long) visionWidth * lmWidth + (long) lmWidth * lmWidth);
    }

    @Override
    public int tokens(int patches, VisionFeatures features) {
      return features.tokens(patches);
    }

    @Override
    public HandLayer layer(int visionWidth, int lmWidth, int patches, VisionFeatures features) {
      return new ConnectorLayer(ConnectorLayer.Kind.MLP2X_GELU, visionWidth, lmWidth, patches, features,
          features.tokens(patches));
    }
  }

  record Resampler(int queries) implements Connector {
    @Override
    public String name() {
      return "resampler";
    }

    public Resampler {
      if (queries < 1) {
        throw new IllegalArgumentException("a resampler needs at least one query, got " + queries);
      }
    }

    @Override
    public int tokens(int patches, VisionFeatures features) {
      return queries;
    }

    @Override
    public long params(int visionWidth, int lmWidth) {
      return (long) queries * lmWidth + 2L * visionWidth * lmWidth + (long) lmWidth * lmWidth;
    }

    @Override
    public long forwardFlops(int visionWidth, int lmWidth, int patches, VisionFeatures features) {
      long read = features.tokens(patches);
      return 2L * 2 * read * visionWidth * lmWidth     // keys and values
          + 2L * 2 * queries * read * lmWidth            // scores and the weighted sum
          + 2L * queries * lmWidth * lmWidth;            // out-projection
    }

    @Override
    public HandLayer layer(int visionWidth, int lmWidth, int patches, VisionFeatures features) {
      return new ConnectorLayer(ConnectorLayer.Kind.RESAMPLER, visionWidth, lmWidth, patches, features, queries);
    }
  }

  /**
   * From LLaVA's names: {@code linear}, {@code mlp2x_gelu}, {@code resampler} ({@code queries} used only by the
   * resampler); anything else is an error listing the kinds.
   */
  static Connector of(String name, int queries) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "linear" -> new Linear();
      case "mlp2x_gelu" -> new Mlp2xGelu();
      case "resampler" -> new Resampler(queries);
      default -> throw new IllegalArgumentException("Unknown connector '" + name
          + "': one of linear, mlp2x_gelu, resampler");
    };
  }
}
