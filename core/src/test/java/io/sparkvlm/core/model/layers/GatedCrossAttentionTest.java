package io.sparkvlm.core.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.model.layers.kernels.Gelu;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Flamingo's gated cross-attention block: gradient check, the closed gates, the text mask. */
class GatedCrossAttentionTest {
  static final int B = 2;
  static final int N = 3;
  static final int T = 4;
  static final int C = 8;
  static final String BLOCK = "xattn";

  @BeforeEach
  void doublePrecision() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  /** visual [B, N, C] and text [B, T, C] -> PrefixConcat -> gated cross-attention [B, T, C] -> MSE. */
  static ComputationGraph graph(Gelu gelu) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(7).graphBuilder()
        .addInputs("visual", "text")
        .setInputTypes(InputType.recurrent(C, N, RNNFormat.NWC), InputType.recurrent(C, T, RNNFormat.NWC))
        .addVertex("prefix", new PrefixConcat(N, T), "visual", "text")
        .addLayer(BLOCK, new GatedCrossAttention(C, 2, 2, N, T, gelu), "prefix")
        .addLayer("loss", new SequenceMse(C), BLOCK)
        .setOutputs("loss").build());
    g.init();
    return g;
  }

  static void openGates(ComputationGraph g, double attn, double ff) {
    g.getLayer(BLOCK).setParam(GatedCrossAttention.ATTN_GATE, Nd4j.scalar(attn).reshape(1));
    g.getLayer(BLOCK).setParam(GatedCrossAttention.FF_GATE, Nd4j.scalar(ff).reshape(1));
  }

  static INDArray[] inputs() {
    return new INDArray[] {Nd4j.randn(DataType.DOUBLE, B, N, C), Nd4j.randn(DataType.DOUBLE, B, T, C)};
  }

  static INDArray textMask() {
    return Nd4j.create(new double[][] {{1, 1, 1, 1}, {1, 1, 1, 0}});
  }

  /** With the gates open (at 0 every inner gradient is 0), both GELUs, a padded text. */
  @Test
  void passesADoublePrecisionGradientCheckWithOpenGatesAndAPaddedText() {
    for (Gelu gelu : Gelu.values()) {
      Nd4j.getRandom().setSeed(21);
      ComputationGraph g = graph(gelu);
      openGates(g, 0.7, -0.4);
      INDArray mask = textMask();
      boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g).inputs(inputs())
          .inputMask(new INDArray[] {null, mask}).labels(new INDArray[] {Nd4j.randn(DataType.DOUBLE, B, T, C)})
          .labelMask(new INDArray[] {mask}).epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9)
          .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
      assertThat(ok).as("gradient check with %s", gelu).isTrue();
    }
  }

  @Test
  void closedGatesPassTheTextThroughUnchangedAndOpenOnesReadTheImage() {
    Nd4j.getRandom().setSeed(22);
    ComputationGraph g = graph(Gelu.EXACT);
    INDArray[] in = inputs();
    INDArray out = g.feedForward(in, false).get(BLOCK);                                        // [B, T, C]
    assertThat(out.shape()).containsExactly(B, T, C);
    assertThat(out).as("tanh(0) = 0: the block starts as the identity").isEqualTo(in[1]);
    INDArray otherImage = Nd4j.randn(DataType.DOUBLE, B, N, C);
    assertThat(g.feedForward(new INDArray[] {otherImage, in[1]}, false).get(BLOCK)).isEqualTo(in[1]);
    openGates(g, 0.5, 0.5);
    INDArray open = g.feedForward(in, false).get(BLOCK).dup();
    assertThat(open).isNotEqualTo(in[1]);
    assertThat(g.feedForward(new INDArray[] {otherImage, in[1]}, false).get(BLOCK))
        .as("another image changes the text").isNotEqualTo(open);
    // the cross-attention's gate alone opens the image path too
    openGates(g, 0.5, 0.0);
    assertThat(g.feedForward(new INDArray[] {otherImage, in[1]}, false).get(BLOCK))
        .isNotEqualTo(g.feedForward(in, false).get(BLOCK).dup());
  }

  @Test
  void theOutputMaskIsTheTextsMask() {
    ComputationGraph g = graph(Gelu.QUICK);
    INDArray joined = Nd4j.create(new double[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 0}});
    var out = g.getLayer(BLOCK).feedForwardMaskArray(joined, MaskState.Active, B);
    assertThat(out.getFirst()).isEqualTo(textMask());
    assertThat(g.getLayer(BLOCK).feedForwardMaskArray(null, MaskState.Active, B).getFirst()).isNull();
  }

  @Test
  void countsItsParametersAndRefusesAnInputOfAnotherShape() {
    ComputationGraph g = graph(Gelu.QUICK);
    assertThat(g.getLayer(BLOCK).numParams()).isEqualTo(GatedCrossAttention.params(C, 2));
    INDArray wrong = Nd4j.randn(DataType.DOUBLE, B, N + T + 1, C);
    g.getLayer(BLOCK).setInput(wrong, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
    assertThatThrownBy(() -> g.getLayer(BLOCK).activate(false,
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()))
        .hasMessageContaining("expects [batch, 3 visual + 4 text tokens, 8], got [2, 8, 8]");
    assertThat(g.getLayer(BLOCK).getParam(GatedCrossAttention.ATTN_GATE).getDouble(0)).isZero();
  }
}
