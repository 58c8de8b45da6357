package io.sparkvlm.core.model.layers;

import java.util.Locale;

/**
 * The vision-language connector (LLaVA's {@code mm_projector_type}): one factory over a closed set of kinds, each a
 * layer from the vision tower's patch tokens [batch, visionWidth, patches] to the language model's visual tokens
 * [batch, lmWidth, tokens]:
 * <ul>
 *   <li>{@link Linear}: one projection per token (LLaVA-1);
 *   <li>{@link Mlp2xGelu}: projection, GELU, projection (LLaVA-1.5's {@code mlp2x_gelu});
 *   <li>{@link Resampler}: N learned queries cross-attending to the patches (Flamingo/Qwen-VL's resampler): a fixed
 *       number of visual tokens whatever the image size.
 * </ul>
 */
public sealed interface Connector permits Connector.Linear, Connector.Mlp2xGelu, Connector.Resampler {

  /** Visual tokens the connector emits for {@code patches} input tokens. */
  int tokens(int patches);

  /** The layer, for a vision tower of {@code visionWidth} with {@code patches} tokens, into an LM of {@code lmWidth}. */
  CorrectedSameDiffLayer layer(int visionWidth, int lmWidth, int patches);

  record Linear() implements Connector {
    @Override
    public int tokens(int patches) {
      return patches;
    }

    @Override
    public CorrectedSameDiffLayer layer(int visionWidth, int lmWidth, int patches) {
      return new ConnectorLayer(ConnectorLayer.Kind.LINEAR, visionWidth, lmWidth, patches, patches);
    }
  }

  record Mlp2xGelu() implements Connector {
    @Override
    public int tokens(int patches) {
      return patches;
    }

    @Override
    public CorrectedSameDiffLayer layer(int visionWidth, int lmWidth, int patches) {
      return new ConnectorLayer(ConnectorLayer.Kind.MLP2X_GELU, visionWidth, lmWidth, patches, patches);
    }
  }

  record Resampler(int queries) implements Connector {
    public Resampler {
      if (queries < 1) {
        throw new IllegalArgumentException("a resampler needs at least one query, got " + queries);
      }
    }

    @Override
    public int tokens(int patches) {
      return queries;
    }

    @Override
    public CorrectedSameDiffLayer layer(int visionWidth, int lmWidth, int patches) {
      return new ConnectorLayer(ConnectorLayer.Kind.RESAMPLER, visionWidth, lmWidth, patches, queries);
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
