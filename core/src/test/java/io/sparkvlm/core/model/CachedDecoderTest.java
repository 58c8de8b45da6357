package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.kernels.Gelu;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/** Decoding with the key/value cache gives what running the whole context again gives. */
class CachedDecoderTest {
  /** 8 px images in 4 patches; a two-block decoder of width 8 over 6 text positions, 13 token ids. */
  static final ClipShape MINI = new ClipShape("clip-mini", new ClipShape.Tower(6, 2, 2, 2, Gelu.QUICK),
      new ClipShape.Tower(8, 2, 2, 2, Gelu.EXACT), 8, 4, 6, 13, 8);

  /** A model whose logits are far from uniform: every parameter scaled up, so sampling has something to pick. */
  static ComputationGraph sharpened(ComputationGraph g) {
    g.params().muli(4);
    return g;
  }

  @Test
  void anLmsCachedLogitsEqualItsWholeContextLogitsAtEveryPosition() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Nd4j.setDefaultDataTypes(type, type);
      LanguageModel.Shape s = LanguageModel.Shape.of(MINI);
      ComputationGraph lm = sharpened(LanguageModel.build(s, new NoOp(), type, 5));
      List<int[]> seqs = new ArrayList<>(List.of(new int[] {1, 5}, new int[] {1, 9, 3, 4}));
      INDArray[] text = ClipInputs.text(List.of(new int[] {1, 5, 7, 8, 2, 11}, new int[] {1, 9, 3, 4, 10, 6}),
          s.contextLength());
      INDArray whole = lm.output(false, new INDArray[] {text[0].castTo(type)},
          new INDArray[] {text[1].castTo(type)})[0];                                       // [B, T, V]
      CachedDecoder cached = new CachedDecoder(lm, null);
      double tolerance = type == DataType.DOUBLE ? 1e-10 : 1e-4;
      int[][] full = {{1, 5, 7, 8, 2, 11}, {1, 9, 3, 4, 10, 6}};
      // the prompts first (several positions read at once), then one token at a time, one sequence finishing early
      for (int step = 0; step < 3; step++) {
        int[] which = step == 2 ? new int[] {1} : new int[] {0, 1};
        double[][] next = cached.next(which, seqs);
        for (int k = 0; k < which.length; k++) {
          int i = which[k];
          double[] expected = whole.get(NDArrayIndex.point(i), NDArrayIndex.point(seqs.get(i).length - 1),
              NDArrayIndex.all()).toDoubleVector();
          for (int v = 0; v < expected.length; v++) {
            assertThat(next[k][v]).as("%s, sequence %d after %d tokens, id %d", type, i, seqs.get(i).length, v)
                .isCloseTo(expected[v], within(tolerance));
          }
          seqs.set(i, java.util.Arrays.copyOf(full[i], seqs.get(i).length + 1));
        }
      }
    }
  }

  @Test
  void aVisionLanguageModelGeneratesTheSameTokensWithAndWithoutTheCache() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    VisionLanguageModel.Shape s = VisionLanguageModel.Shape.of(MINI, new Connector.Mlp2xGelu());
    ComputationGraph vlm = sharpened(VisionLanguageModel.build(s, new NoOp(), DataType.DOUBLE, 3,
        VisionLanguageModel.Trainable.ALL));
    VisionLanguageModel.Generator g = new VisionLanguageModel.Generator(vlm, s);
    Nd4j.getRandom().setSeed(42);
    INDArray images = Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8).subi(0.5);
    List<int[]> prompts = List.of(new int[] {1}, new int[] {1, 5, 6}, new int[] {1, 7});
    INDArray visual = g.visualTokens(images);
    for (Generation.Sampling sampling : List.of(Generation.Sampling.GREEDY,
        new Generation.Sampling(1.0, 0, 0.9, 0), new Generation.Sampling(0.7, 4, 1.0, 0),
        new Generation.Sampling(1.5, 0, 1.0, 0))) {
      for (long seed = 0; seed < 4; seed++) {
        long[] seeds = {seed, seed + 10, seed + 20};
        List<int[]> cached = g.generate(images, prompts, 1, 5, 2, sampling, seeds);
        List<int[]> whole = g.generateWholeContext(visual, prompts, 1, 5, 2, sampling, seeds);
        for (int i = 0; i < prompts.size(); i++) {
          assertThat(cached.get(i)).as("%s, seed %d, prompt %d", sampling, seed, i).isEqualTo(whole.get(i));
        }
      }
    }
    // the samples differ between seeds: the comparison above is between real choices, not one constant answer
    Generation.Sampling warm = new Generation.Sampling(1.5, 0, 1.0, 0);
    List<List<Integer>> distinct = new ArrayList<>();
    for (long seed = 0; seed < 4; seed++) {
      List<int[]> out = g.generate(images, prompts, 1, 5, 2, warm, new long[] {seed, seed, seed});
      distinct.add(out.stream().flatMap(t -> java.util.Arrays.stream(t).boxed()).toList());
    }
    assertThat(distinct.stream().distinct().count()).isGreaterThan(1);
  }

  @Test
  void refusesSequencesLongerThanTheContext() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    LanguageModel.Shape s = LanguageModel.Shape.of(MINI);
    ComputationGraph lm = LanguageModel.build(s, new NoOp(), DataType.FLOAT, 5);
    CachedDecoder cached = new CachedDecoder(lm, null);
    assertThatThrownBy(() -> cached.next(new int[] {0}, List.of(new int[7])))
        .hasMessageContaining("7 tokens").hasMessageContaining("1 to 6");
  }
}
