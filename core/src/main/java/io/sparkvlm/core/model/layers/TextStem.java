package io.sparkvlm.core.model.layers;

import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * OpenCLIP's text stem as two graph layers: {@link #TOKENS} (a {@link TokenTable}) then {@link #STEM} (learned
 * {@link TextPositions}); token ids [B, 1, T] in, [B, W, T] out of the layer named {@link #STEM}.
 */
public final class TextStem {
  public static final String TOKENS = "textTokens";
  public static final String STEM = "textStem";

  private TextStem() {}

  /** Adds both layers after {@code input}, each passed through {@code wrap} (freezing); returns {@link #STEM}. */
  public static String add(GraphBuilder b, String input, int vocabSize, int contextLength, int width,
      Function<Freezable, Layer> wrap) {
    b.addLayer(TOKENS, wrap.apply(TokenTable.of(vocabSize, contextLength, width)), input);
    b.addLayer(STEM, wrap.apply(new TextPositions(contextLength, width)), TOKENS);
    return STEM;
  }

  public static String add(GraphBuilder b, String input, int vocabSize, int contextLength, int width) {
    return add(b, input, vocabSize, contextLength, width, Freezable::trained);
  }
}
