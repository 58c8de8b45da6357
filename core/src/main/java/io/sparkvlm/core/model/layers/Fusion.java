package io.sparkvlm.core.model.layers;

import java.util.Locale;

/**
 * How the visual tokens reach the language model: one factory over a closed set of kinds.
 * <ul>
 *   <li>{@link Prefix}: LLaVA's, the visual tokens in front of the text; the LM's self-attention reads them and the
 *       decoder runs over visual tokens + text;
 *   <li>{@link CrossAttention}: Flamingo's, a {@link GatedCrossAttention} block in front of every {@code every}-th LM
 *       block, its text queries attending to the visual tokens; the LM runs over the text alone, and with the tanh
 *       gates at 0 the model starts as the LM unchanged.
 * </ul>
 */
public sealed interface Fusion extends java.io.Serializable permits Fusion.Prefix, Fusion.CrossAttention {

  /** The name config and manifests use. */
  String name();

  /** Positions in front of the text in the decoder's sequence: the visual tokens (prefix), or none. */
  int textOffset(int visualTokens);

  /** Gated cross-attention blocks for an LM of {@code lmLayers} blocks. */
  int crossAttentionBlocks(int lmLayers);

  /** Whether LM block {@code block} has a gated cross-attention block in front of it. */
  boolean crossAttentionBefore(int block);

  record Prefix() implements Fusion {
    @Override
    public String name() {
      return "prefix";
    }

    @Override
    public int textOffset(int visualTokens) {
      return visualTokens;
    }

    @Override
    public int crossAttentionBlocks(int lmLayers) {
      return 0;
    }

    @Override
    public boolean crossAttentionBefore(int block) {
      return false;
    }
  }

  /** A gated cross-attention block in front of LM blocks 0, every, 2 * every, ... (Flamingo's frequency). */
  record CrossAttention(int every) implements Fusion {
    public CrossAttention {
      if (every < 1) {
        throw new IllegalArgumentException("cross-attention every " + every + " LM blocks: use 1 or more");
      }
    }

    @Override
    public String name() {
      return "cross-attention";
    }

    @Override
    public int textOffset(int visualTokens) {
      return 0;
    }

    @Override
    public int crossAttentionBlocks(int lmLayers) {
      return (lmLayers + every - 1) / every;
    }

    @Override
    public boolean crossAttentionBefore(int block) {
      return block % every == 0;
    }
  }

  /** From the names {@code prefix} and {@code cross-attention} ({@code every} read by cross-attention only). */
  static Fusion of(String name, int every) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "prefix" -> new Prefix();
      case "cross-attention" -> new CrossAttention(every);
      default -> throw new IllegalArgumentException("Unknown fusion '" + name + "': one of prefix, cross-attention");
    };
  }
}
