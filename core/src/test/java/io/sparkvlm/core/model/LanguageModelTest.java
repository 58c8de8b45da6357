package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparkvlm.core.model.Generation.Sampling;
import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class LanguageModelTest {
  static final LanguageModel.Shape MICRO = new LanguageModel.Shape("lm-micro", 11, 5,
      new ClipShape.Tower(8, 1, 2, 2));
  static final int EOT = 2;

  static ComputationGraph micro(DataType dt) {
    return LanguageModel.build(MICRO, new NoOp(), dt, 3);
  }

  static MultiDataSet microBatch(DataType dt) {
    // two sequences, the second padded; in the first, the target of position 1 is ignored (a prompt token)
    List<int[]> seqs = List.of(new int[] {1, 5, 6, 7, 2}, new int[] {1, 9, 2});
    List<boolean[]> learn = List.of(new boolean[] {true, true, false, true, true}, new boolean[] {true, true, true});
    MultiDataSet b = LanguageModel.batch(seqs, learn, 5);
    b.setFeatures(0, b.getFeatures(0).castTo(dt));
    b.setFeaturesMaskArray(0, b.getFeaturesMaskArray(0).castTo(dt));
    b.setLabels(0, b.getLabels(0).castTo(dt));
    return b;
  }

  @Test
  void theDecoderAndItsMaskedLossPassADoublePrecisionGradientCheck() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    ComputationGraph g = micro(DataType.DOUBLE);
    assertThat(g.numParams()).as("parameter count from the shape").isEqualTo(MICRO.params());
    MultiDataSet b = microBatch(DataType.DOUBLE);
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(b.getFeatures()).labels(b.getLabels()).inputMask(b.getFeaturesMaskArrays())
        .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check of the decoder LM with a masked loss").isTrue();
  }

  @Test
  void theLossIsTheMeanCrossEntropyOfTheLearnedTargetsOnly() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    ComputationGraph g = micro(DataType.DOUBLE);
    MultiDataSet b = microBatch(DataType.DOUBLE);
    g.setLayerMaskArrays(b.getFeaturesMaskArrays(), null);
    double[][][] logits = toArray(g.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0]);   // [B, T, V]
    // independently: -log softmax(logits)[target], averaged over the targets marked LEARN
    double sum = 0;
    int n = 0;
    for (int i = 0; i < 2; i++) {
      for (int t = 0; t < 5; t++) {
        if (b.getLabels(0).getDouble(i, LmLoss.WEIGHT, t) == LmLoss.LEARN) {
          int target = (int) b.getLabels(0).getDouble(i, LmLoss.TARGET, t);
          double max = Arrays.stream(logits[i][t]).max().orElseThrow();
          double lse = max + Math.log(Arrays.stream(logits[i][t]).map(x -> Math.exp(x - max)).sum());
          sum += lse - logits[i][t][target];
          n++;
        }
      }
    }
    assertThat(n).isEqualTo(5); // 4 - 1 ignored in the first, 2 in the second (padding never counts)
    double score = g.score(b);
    assertThat(score).isCloseTo(sum / n, within(1e-9));
    // an ignored target can be anything: the loss does not see it
    MultiDataSet changed = microBatch(DataType.DOUBLE);
    changed.getLabels(0).putScalar(new long[] {0, LmLoss.TARGET, 1}, 10);
    assertThat(g.score(changed)).isEqualTo(score);
  }

  @Test
  void aNanoLmLearnsToCountAndGreedyDecodingContinuesTheSequence() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    // tokens 3..12 are the digits 0..9; a sequence counts up mod 10 from a random digit, then ends
    LanguageModel.Shape s = new LanguageModel.Shape("lm-count", 13, 8, new ClipShape.Tower(32, 2, 2, 2));
    ComputationGraph g = LanguageModel.build(s, new Optimiser(3e-3, 10, 400, 0.9, 0.98, 1e-6, 0.01, 0),
        DataType.FLOAT, 5);
    SplittableRandom r = new SplittableRandom(7);
    for (int step = 0; step < 400; step++) {
      List<int[]> seqs = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        seqs.add(counting(r.nextInt(10), 6));
      }
      g.fit(LanguageModel.batch(seqs, LanguageModel.learnAll(seqs), s.contextLength()));
    }
    List<int[]> prompts = List.of(new int[] {1, 3 + 4, 3 + 5}, new int[] {1, 3 + 8, 3 + 9});
    List<int[]> out = Generation.generate(g, s.contextLength(), prompts, 10, EOT, Sampling.GREEDY);
    assertThat(out.get(0)).as(Arrays.toString(out.get(0))).containsExactly(counting(4, 6));
    assertThat(out.get(1)).as(Arrays.toString(out.get(1))).containsExactly(counting(8, 6));
    // sampling: top-k 1 is greedy whatever the temperature; the same seed gives the same tokens
    assertThat(Generation.generate(g, s.contextLength(), prompts, 10, EOT, new Sampling(1.5, 1, 1, 3)))
        .usingRecursiveComparison().isEqualTo(out);
    List<int[]> a = Generation.generate(g, s.contextLength(), prompts, 10, EOT, new Sampling(2.0, 0, 0.95, 11));
    List<int[]> b = Generation.generate(g, s.contextLength(), prompts, 10, EOT, new Sampling(2.0, 0, 0.95, 11));
    assertThat(a).usingRecursiveComparison().isEqualTo(b);
    // a vocabulary cap: hot sampling over the whole table picks ids a 6-token tokenizer would not know; within(6)
    // never does
    Sampling hot = new Sampling(50.0, 0, 1, 5);
    assertThat(generatedIds(Generation.generate(g, s.contextLength(), prompts, 10, EOT, hot), prompts))
        .anyMatch(id -> id >= 6);
    assertThat(generatedIds(Generation.generate(g, s.contextLength(), prompts, 10, EOT, hot.within(6)), prompts))
        .isNotEmpty().allMatch(id -> id < 6);
  }

  private static List<Integer> generatedIds(List<int[]> out, List<int[]> prompts) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      for (int t = prompts.get(i).length; t < out.get(i).length; t++) {
        ids.add(out.get(i)[t]);
      }
    }
    return ids;
  }

  /** start, {@code n} digits counting up mod 10 from {@code first}, end. */
  static int[] counting(int first, int n) {
    int[] s = new int[n + 2];
    s[0] = 1;
    for (int i = 0; i < n; i++) {
      s[i + 1] = 3 + (first + i) % 10;
    }
    s[n + 1] = EOT;
    return s;
  }

  @Test
  void samplingFiltersAsSpecified() {
    double[] logits = {0.0, 3.0, 2.0, -1.0};
    SplittableRandom r = new SplittableRandom(1);
    // top-p small enough keeps only the most likely token
    for (int i = 0; i < 50; i++) {
      assertThat(Generation.pick(logits, new Sampling(1, 0, 0.1, 0), r)).isEqualTo(1);
    }
    // top-k 2: only tokens 1 and 2 ever come out, both do
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int i = 0; i < 400; i++) {
      seen.add(Generation.pick(logits, new Sampling(1, 2, 1, 0), r));
    }
    assertThat(seen).containsExactlyInAnyOrder(1, 2);
    // temperature 1, no filters: frequencies follow the softmax (token 1: e^3 / sum)
    int ones = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
      ones += Generation.pick(logits, new Sampling(1, 0, 1, 0), r) == 1 ? 1 : 0;
    }
    double p1 = Math.exp(3) / (Math.exp(0) + Math.exp(3) + Math.exp(2) + Math.exp(-1));
    assertThat(ones / (double) n).isCloseTo(p1, within(4 * Math.sqrt(p1 * (1 - p1) / n)));
  }

  static double[][][] toArray(org.nd4j.linalg.api.ndarray.INDArray a) {
    long[] s = a.shape();
    double[][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]];
    for (int i = 0; i < s[0]; i++) {
      for (int j = 0; j < s[1]; j++) {
        for (int k = 0; k < s[2]; k++) {
          out[i][j][k] = a.getDouble(i, j, k);
        }
      }
    }
    return out;
  }
}
