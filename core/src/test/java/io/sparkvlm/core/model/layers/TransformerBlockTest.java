package io.sparkvlm.core.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Double-precision gradient checks of the transformer block, bidirectional and causal, with padding. */
class TransformerBlockTest {
  static final int B = 2;
  static final int C = 8;
  static final int T = 4;

  @BeforeAll
  static void doublePrecision() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  static ComputationGraph graph(boolean causal) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(3).graphBuilder()
        .addInputs("in").setInputTypes(InputType.recurrent(C, T, RNNFormat.NWC))
        .addLayer("block", new TransformerBlock(C, 2, 2, T, causal), "in")
        .addLayer("out", new SequenceMse(C), "block")
        .setOutputs("out").build());
    g.init();
    return g;
  }

  /**
   * The numerical gradient's floor is score x 1e-16 / epsilon (about 7e-9 at these scores): the key biases' true
   * gradient is exactly 0 (softmax ignores a shift), so absolute errors below 1e-8 pass.
   */
  static boolean check(ComputationGraph g, INDArray in, INDArray labels, INDArray mask) {
    return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {in}).labels(new INDArray[] {labels})
        .inputMask(mask == null ? null : new INDArray[] {mask}).labelMask(mask == null ? null : new INDArray[] {mask})
        .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
  }

  @Test
  void bidirectionalBlockPassesTheGradientCheck() {
    Nd4j.getRandom().setSeed(11);
    ComputationGraph g = graph(false);
    assertThat(check(g, Nd4j.randn(DataType.DOUBLE, B, T, C), Nd4j.randn(DataType.DOUBLE, B, T, C), null)).isTrue();
  }

  @Test
  void causalBlockWithPaddingPassesTheGradientCheckAndDoesNotLookAhead() {
    Nd4j.getRandom().setSeed(12);
    ComputationGraph g = graph(true);
    INDArray in = Nd4j.randn(DataType.DOUBLE, B, T, C);
    INDArray mask = Nd4j.ones(DataType.DOUBLE, B, T);
    mask.putScalar(1, T - 1, 0.0); // second sequence is one token shorter
    assertThat(check(g, in, Nd4j.randn(DataType.DOUBLE, B, T, C), mask)).isTrue();
    // causality: changing the last token changes no earlier output
    INDArray out1 = g.outputSingle(in).dup();
    INDArray changed = in.dup();
    changed.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(T - 1),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(5.0);
    INDArray out2 = g.outputSingle(changed);
    for (int t = 0; t < T - 1; t++) {
      INDArray a = out1.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(t),
          org.nd4j.linalg.indexing.NDArrayIndex.all());
      INDArray b = out2.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(t),
          org.nd4j.linalg.indexing.NDArrayIndex.all());
      assertThat(a.equalsWithEps(b, 1e-12)).as("position " + t).isTrue();
    }
    assertThat(out1.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(T - 1),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).equalsWithEps(out2.get(
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(T - 1),
        org.nd4j.linalg.indexing.NDArrayIndex.all()), 1e-6)).isFalse();
  }
}
