package io.sparkvlm.core.model.layers.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.model.layers.TextPositions;
import io.sparkvlm.core.model.layers.TokenTable;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Whole-model parity: a decoder LM of the hand-written layers against the same LM of the SameDiff layers, same
 * weights, on a padded batch through DL4J's ComputationGraph (masks, output layer, the graph's own backprop): equal
 * loss and equal gradients for every parameter (double precision).
 */
class ModelParityTest {
  static final int V = 13;
  static final int T = 6;
  static final int W = 8;

  static ComputationGraph lm(boolean reference) {
    var b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).updater(new NoOp()).seed(4).graphBuilder()
        .addInputs("text").setInputTypes(InputType.recurrent(1, T));
    TokenTable table = TokenTable.of(V, T, W);
    if (reference) {
      b.addLayer("tokens", new NcwTable(), "text");
      b.addLayer("pos", new SameDiffTextPositions(T, W), "tokens");
      b.addLayer("b0", new SameDiffTransformerBlock(W, 2, 2, T, true), "pos");
      b.addLayer("b1", new SameDiffTransformerBlock(W, 2, 2, T, true), "b0");
      b.addLayer("head", new SameDiffLmLoss(W, V, T), "b1");
    } else {
      b.addLayer("tokens", table, "text");
      b.addLayer("pos", new TextPositions(T, W), "tokens");
      TransformerBlock b0 = new TransformerBlock(W, 2, 2, T, true);
      TransformerBlock b1 = new TransformerBlock(W, 2, 2, T, true);
      b0.setNormEps(LayerNorm.ND4J_EPS);
      b1.setNormEps(LayerNorm.ND4J_EPS);
      LmLoss head = new LmLoss(W, V, T);
      head.setNormEps(LayerNorm.ND4J_EPS);
      b.addLayer("b0", b0, "pos").addLayer("b1", b1, "b0").addLayer("head", head, "b1");
    }
    ComputationGraph g = new ComputationGraph(b.setOutputs("head").build());
    g.init();
    return g;
  }

  /** The token table as the SameDiff layers took it: [batch, width, time]. */
  static final class NcwTable extends TokenTable {
    NcwTable() {
      setNIn(V);
      setNOut(W);
      setInputLength(T);
      setInferInputLength(false);
      setHasBias(false);
      setActivationFn(new org.nd4j.linalg.activations.impl.ActivationIdentity());
      setWeightInitFn(new org.deeplearning4j.nn.weights.WeightInitDistribution(
          new org.deeplearning4j.nn.conf.distribution.NormalDistribution(0, 0.02)));
    }

    @Override
    public RNNFormat getOutputFormat() {
      return RNNFormat.NCW;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
      return InputType.recurrent(W, T);
    }
  }

  @Test
  void decoderLmGivesTheSameLossAndGradientsAsTheSameDiffOne() {
    ComputationGraph neu = lm(false);
    ComputationGraph ref = lm(true);
    assertThat(ref.params().length()).isEqualTo(neu.params().length());
    ref.params().assign(neu.params());
    SplittableRandom r = new SplittableRandom(8);
    List<int[]> seqs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int[] s = new int[3 + i];                       // lengths 3..6: padded
      for (int t = 0; t < s.length; t++) {
        s[t] = 1 + r.nextInt(V - 1);
      }
      seqs.add(s);
    }
    MultiDataSet batch = LanguageModel.batch(seqs, LanguageModel.learnAll(seqs), T);
    for (ComputationGraph g : List.of(neu, ref)) {
      g.setInputs(batch.getFeatures(0).castTo(DataType.DOUBLE));
      g.setLabels(batch.getLabels(0).castTo(DataType.DOUBLE));
      g.setLayerMaskArrays(new INDArray[] {batch.getFeaturesMaskArray(0).castTo(DataType.DOUBLE)}, null);
      g.computeGradientAndScore();
    }
    assertThat(neu.score()).isCloseTo(ref.score(), org.assertj.core.data.Offset.offset(1e-10));
    for (String p : neu.paramTable().keySet()) {
      INDArray gn = neu.gradient().getGradientFor(p);
      INDArray gr = ref.gradient().getGradientFor(p);
      double scale = Math.max(1e-12, gr.amaxNumber().doubleValue());
      assertThat(gn.sub(gr).amaxNumber().doubleValue() / scale).as(p).isLessThan(1e-9);
    }
  }
}
