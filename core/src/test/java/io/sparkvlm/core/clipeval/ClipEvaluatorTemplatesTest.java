package io.sparkvlm.core.clipeval;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.core.text.ByteLevel;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Prompt ensembling on and off, with embeddings chosen by hand: the first template points every class at the other
 * class's direction, the two others point it right. Ensembled, red = normalise((0,1) + (1,0) + (1,0)) =
 * (0.894, 0.447), so a red image (1, 0) is red; with the first template alone red = (0, 1) and it is blue.
 */
class ClipEvaluatorTemplatesTest {
  static final double[] RIGHT_RED = {1, 0};
  static final double[] RIGHT_BLUE = {0, 1};

  @Test
  void ensemblingAveragesAllTemplatesAndFirstUsesOnlyTheFirst() {
    Map<String, Long> words = new HashMap<>();
    ByteLevel.split("t0 t1 t2 red blue").forEach(w -> words.merge(ByteLevel.encode(w), 3L, Long::sum));
    BpeTokenizer tokenizer = BpeTrainer.train(words, 300, 1);
    byte[] redImage = {1};
    byte[] blueImage = {2};
    Map<byte[], double[]> images = new IdentityHashMap<>(Map.of(redImage, RIGHT_RED, blueImage, RIGHT_BLUE));
    ClipEvaluator.Embedder embedder = new ClipEvaluator.Embedder() {
      @Override
      public double[][] images(List<byte[]> encoded) {
        return encoded.stream().map(images::get).toArray(double[][]::new);
      }

      @Override
      public double[][] texts(List<int[]> tokens) {
        return tokens.stream().map(t -> {
          String prompt = tokenizer.decode(t, true);
          boolean red = prompt.endsWith("red");
          boolean misleading = prompt.startsWith("t0");
          return red != misleading ? RIGHT_RED : RIGHT_BLUE;
        }).toArray(double[][]::new);
      }
    };
    ClipEvalSets sets = new ClipEvalSets(Optional.empty(), List.of(new ClipEvalSets.ZeroShotTask("colour",
        List.of("red", "blue"), List.of("t0 {}", "t1 {}", "t2 {}"), List.of(redImage, blueImage), new int[] {0, 1})));
    ClipShape nano = ClipShape.preset("nano");
    Map<String, Double> ensemble = new ClipEvaluator(nano, tokenizer, sets, ClipEvaluator.Templates.ENSEMBLE)
        .evaluate(embedder).metrics();
    Map<String, Double> first = new ClipEvaluator(nano, tokenizer, sets, ClipEvaluator.Templates.FIRST)
        .evaluate(embedder).metrics();
    assertThat(ensemble).containsEntry("zeroshot/colour/acc1", 1.0);
    assertThat(first).containsEntry("zeroshot/colour/acc1", 0.0);
    assertThat(new ClipEvaluator(nano, tokenizer, sets).evaluate(embedder).metrics()).isEqualTo(ensemble);
  }
}
