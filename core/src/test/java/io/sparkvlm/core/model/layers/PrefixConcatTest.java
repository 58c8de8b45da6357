package io.sparkvlm.core.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class PrefixConcatTest {
  /** vit [B, 3, 3] -> linear connector -> prefix [B, 2, 4] (a layer below the vertex); text [B, 3, 4]; a block over all 5 tokens. */
  static ComputationGraph graph() {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(5).graphBuilder()
        .addInputs("vit", "text").setInputTypes(InputType.recurrent(3, 3, RNNFormat.NWC), InputType.recurrent(4, 3, RNNFormat.NWC))
        .addLayer("connector", new Connector.Linear().layer(3, 4, 2, VisionFeatures.PATCH), "vit")
        .addVertex("prefix", new PrefixConcat(2, 3), "connector", "text")
        .addLayer("block", new TransformerBlock(4, 2, 2, 5, true), "prefix")
        .addLayer("loss", new SequenceMse(4), "block")
        .setOutputs("loss").build());
    g.init();
    return g;
  }

  @Test
  void concatenatesAlongTimeAndKeepsTheTextsPaddingMask() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    ComputationGraph g = graph();
    INDArray vit = Nd4j.rand(DataType.DOUBLE, 2, 3, 3);
    INDArray text = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
    INDArray textMask = Nd4j.create(new double[][] {{1, 1, 1}, {1, 1, 0}});
    var acts = g.feedForward(new INDArray[] {vit, text}, false);
    INDArray joined = acts.get("prefix");                                                     // [B, 5, 4]
    assertThat(joined.shape()).containsExactly(2, 5, 4);
    assertThat(joined.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2), NDArrayIndex.all()))
        .isEqualTo(acts.get("connector"));
    assertThat(joined.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 5), NDArrayIndex.all())).isEqualTo(text);
    var mask = g.getVertex("prefix").feedForwardMaskArrays(new INDArray[] {null, textMask},
        org.deeplearning4j.nn.api.MaskState.Active, 2).getFirst();
    assertThat(mask).isEqualTo(Nd4j.create(new double[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}}));
    assertThat(g.getVertex("prefix").feedForwardMaskArrays(new INDArray[] {null, null},
        org.deeplearning4j.nn.api.MaskState.Active, 2).getFirst()).isNull();
  }

  @Test
  void passesADoublePrecisionGradientCheckWithAPaddedText() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    ComputationGraph g = graph();
    INDArray[] in = {Nd4j.rand(DataType.DOUBLE, 2, 3, 3).subi(0.5), Nd4j.rand(DataType.DOUBLE, 2, 3, 4).subi(0.5)};
    INDArray[] masks = {null, Nd4j.create(new double[][] {{1, 1, 1}, {1, 1, 0}})};
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g).inputs(in)
        .labels(new INDArray[] {Nd4j.rand(DataType.DOUBLE, 2, 5, 4)}).inputMask(masks).epsilon(1e-6)
        .maxRelError(1e-4).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).isTrue();
  }

  @Test
  void refusesInputsOfTheWrongShape() {
    assertThatThrownBy(() -> new PrefixConcat(2, 3).getOutputType(0, InputType.recurrent(4, 2),
        InputType.recurrent(5, 3))).hasMessageContaining("prefix width 4 differs from the sequence width 5");
    assertThatThrownBy(() -> new PrefixConcat(2, 3).getOutputType(0, InputType.feedForward(4),
        InputType.recurrent(4, 3))).hasMessageContaining("two recurrent inputs");
  }
}
