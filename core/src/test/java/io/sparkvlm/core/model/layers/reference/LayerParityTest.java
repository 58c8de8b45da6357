package io.sparkvlm.core.model.layers.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.ConnectorLayer;
import io.sparkvlm.core.model.layers.HandLayer;
import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.model.layers.TextPositions;
import io.sparkvlm.core.model.layers.TokenPool;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.VisionEmbedding;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Parity of every hand-written layer with the SameDiff layer it replaced, on the same weights (the flat parameter
 * vectors are copied as they are, which also checks that the layouts agree): outputs, parameter gradients and input
 * gradients for the same upstream gradient, in double (1e-10, relative to the largest value) and in float. The
 * SameDiff layers pass sequences as [B, W, T], the new ones as [B, T, W]; the test permutes between the two. The
 * new layers run with ND4J's layer norm (no epsilon), which is what the SameDiff layers computed.
 */
class LayerParityTest {
  enum Precision {
    DOUBLE(DataType.DOUBLE, 1e-10),
    // the float path's exponential is a vectorised polynomial (relative error < 1e-5) and products run in float
    FLOAT(DataType.FLOAT, 1e-5);

    final DataType type;
    final double tolerance;

    Precision(DataType type, double tolerance) {
      this.type = type;
      this.tolerance = tolerance;
    }
  }

  static final int B = 3;
  static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

  static ComputationGraph graph(org.deeplearning4j.nn.conf.layers.Layer layer, InputType in, DataType type) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(type)
        .updater(new NoOp()).seed(5).graphBuilder()
        .addInputs("in").setInputTypes(in)
        .addLayer("l", layer, "in")
        .setOutputs("l").build());
    g.init();
    g.initGradientsView();
    return g;
  }

  /** Copies the new layer's parameters into the reference (same flat layout). */
  static void shareWeights(ComputationGraph neu, ComputationGraph ref) {
    assertThat(ref.params().length()).isEqualTo(neu.params().length());
    ref.params().assign(neu.params());
  }

  static void assertClose(INDArray actual, INDArray expected, double tolerance, String what) {
    INDArray a = actual.castTo(DataType.DOUBLE);
    INDArray e = expected.castTo(DataType.DOUBLE);
    assertThat(a.shape()).as(what + " shape").isEqualTo(e.shape());
    double scale = Math.max(1e-12, e.amaxNumber().doubleValue());
    double diff = a.sub(e).amaxNumber().doubleValue();
    assertThat(diff / scale).as(what + ": max |difference| / max |value| (max value " + scale + ")")
        .isLessThanOrEqualTo(tolerance);
  }

  /** [B, W, T] <-> [B, T, W]. */
  static INDArray swap(INDArray a) {
    return a.permute(0, 2, 1).dup('c');
  }

  /** Runs forward and backward on both and compares. {@code sequenceIn/Out}: whether that side is a sequence. */
  static void compare(HandLayer neuConf, org.deeplearning4j.nn.conf.layers.Layer refConf, InputType neuIn,
      InputType refIn, INDArray inputNeu, INDArray mask, boolean sequenceIn, boolean sequenceOut, Precision p) {
    ComputationGraph neu = graph(neuConf, neuIn, p.type);
    ComputationGraph ref = graph(refConf, refIn, p.type);
    shareWeights(neu, ref);
    Layer ln = neu.getLayer("l");
    Layer lr = ref.getLayer("l");
    INDArray x = inputNeu.castTo(p.type);
    INDArray xr = sequenceIn ? swap(x) : x;
    ln.setInput(x, NO_WS);
    lr.setInput(xr, NO_WS);
    if (mask != null) {
      ln.feedForwardMaskArray(mask.castTo(p.type), MaskState.Active, B);
      lr.feedForwardMaskArray(mask.castTo(p.type), MaskState.Active, B);
    }
    INDArray yn = ln.activate(true, NO_WS).dup();
    INDArray yr = lr.activate(true, NO_WS).dup();
    assertClose(yn, sequenceOut ? swap(yr) : yr, p.tolerance, "output");
    Nd4j.getRandom().setSeed(21);
    INDArray eps = Nd4j.randn(p.type, yn.shape());
    Pair<?, INDArray> gn = ln.backpropGradient(eps, NO_WS);
    Pair<?, INDArray> gr = lr.backpropGradient(sequenceOut ? swap(eps) : eps, NO_WS);
    assertClose(ln.getGradientsViewArray(), lr.getGradientsViewArray(), p.tolerance, "parameter gradients");
    assertClose(gn.getSecond(), sequenceIn ? swap(gr.getSecond()) : gr.getSecond(), p.tolerance, "input gradient");
  }

  static INDArray sequence(int t, int w) {
    Nd4j.getRandom().setSeed(7);
    return Nd4j.randn(DataType.DOUBLE, B, t, w);
  }

  static INDArray paddingMask(int t) {
    INDArray m = Nd4j.ones(DataType.DOUBLE, B, t);
    m.putScalar(1, t - 1, 0);
    m.putScalar(2, t - 1, 0);
    m.putScalar(2, t - 2, 0);
    return m;
  }

  static <T extends HandLayer> T nd4jNorm(T layer, Function<T, Void> set) {
    set.apply(layer);
    return layer;
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void transformerBlockCausalWithPadding(Precision p) {
    TransformerBlock neu = new TransformerBlock(8, 2, 2, 5, true);
    neu.setNormEps(LayerNorm.ND4J_EPS);
    compare(neu, new SameDiffTransformerBlock(8, 2, 2, 5, true), InputType.recurrent(8, 5, RNNFormat.NWC),
        InputType.recurrent(8, 5), sequence(5, 8), paddingMask(5), true, true, p);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void transformerBlockBidirectional(Precision p) {
    TransformerBlock neu = new TransformerBlock(12, 3, 4, 6, false);
    neu.setNormEps(LayerNorm.ND4J_EPS);
    compare(neu, new SameDiffTransformerBlock(12, 3, 4, 6, false), InputType.recurrent(12, 6, RNNFormat.NWC),
        InputType.recurrent(12, 6), sequence(6, 12), null, true, true, p);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void visionEmbedding(Precision p) {
    VisionEmbedding neu = new VisionEmbedding(8, 4, 6);
    neu.setNormEps(LayerNorm.ND4J_EPS);
    Nd4j.getRandom().setSeed(8);
    compare(neu, new SameDiffVisionEmbedding(8, 4, 6), InputType.convolutional(8, 8, 3),
        InputType.convolutional(8, 8, 3), Nd4j.randn(DataType.DOUBLE, B, 3, 8, 8), null, false, true, p);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void textPositions(Precision p) {
    compare(new TextPositions(5, 6), new SameDiffTextPositions(5, 6), InputType.recurrent(6, 5, RNNFormat.NWC),
        InputType.recurrent(6, 5), sequence(5, 6), null, true, true, p);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void tokenPoolPicksFirstLastAndAt(Precision p) {
    for (TokenPool.Pick pick : TokenPool.Pick.values()) {
      if (pick == TokenPool.Pick.PATCH_MAX) {
        continue; // written after the SameDiff layers: StemAndPoolTest checks it against its definition
      }
      TokenPool neu = pick == TokenPool.Pick.AT ? TokenPool.at(6, 4, 5, 2) : new TokenPool(6, 4, 5, pick);
      neu.setNormEps(LayerNorm.ND4J_EPS);
      org.deeplearning4j.nn.conf.layers.Layer ref = pick == TokenPool.Pick.AT ? SameDiffTokenPool.at(6, 4, 5, 2)
          : new SameDiffTokenPool(6, 4, 5, SameDiffTokenPool.Pick.valueOf(pick.name()));
      compare(neu, ref, InputType.recurrent(6, 5, RNNFormat.NWC), InputType.recurrent(6, 5), sequence(5, 6),
          paddingMask(5), true, false, p);
    }
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void connectorsOfEveryKindAndFeatureChoice(Precision p) {
    for (Connector c : new Connector[] {new Connector.Linear(), new Connector.Mlp2xGelu(), new Connector.Resampler(3)}) {
      for (VisionFeatures f : VisionFeatures.values()) {
        if (f.centred()) {
          continue; // postdates the SameDiff layers: ConnectorTest checks it against its definition
        }
        ConnectorLayer neu = (ConnectorLayer) c.layer(6, 8, 4, f);
        SameDiffConnectorLayer ref = new SameDiffConnectorLayer(SameDiffConnectorLayer.Kind.valueOf(
            neu.getKind().name()), 6, 8, 4, f, neu.getTokens());
        compare(neu, ref, InputType.recurrent(6, 5, RNNFormat.NWC), InputType.recurrent(6, 5), sequence(5, 6), null,
            true, true, p);
      }
    }
  }

  /** Output layers: the loss (score) and the gradients of the summed loss. */
  static void compareLoss(HandLayer neuConf, org.deeplearning4j.nn.conf.layers.Layer refConf, InputType neuIn,
      InputType refIn, INDArray inputNeu, boolean sequenceIn, INDArray labels, Precision p) {
    ComputationGraph neu = graph(neuConf, neuIn, p.type);
    ComputationGraph ref = graph(refConf, refIn, p.type);
    shareWeights(neu, ref);
    IOutputLayer ln = (IOutputLayer) neu.getLayer("l");
    IOutputLayer lr = (IOutputLayer) ref.getLayer("l");
    INDArray x = inputNeu.castTo(p.type);
    ln.setInput(x, NO_WS);
    lr.setInput(sequenceIn ? swap(x) : x, NO_WS);
    ln.setLabels(labels.castTo(p.type));
    lr.setLabels(labels.castTo(p.type));
    double sn = ln.computeScore(0, true, NO_WS);
    double sr = lr.computeScore(0, true, NO_WS);
    assertThat(Math.abs(sn - sr) / Math.abs(sr)).as("score " + sn + " vs " + sr).isLessThan(p.tolerance);
    Pair<?, INDArray> gn = ln.backpropGradient(null, NO_WS);
    Pair<?, INDArray> gr = lr.backpropGradient(null, NO_WS);
    assertClose(ln.getGradientsViewArray(), lr.getGradientsViewArray(), p.tolerance, "parameter gradients");
    assertClose(gn.getSecond(), sequenceIn ? swap(gr.getSecond()) : gr.getSecond(), p.tolerance, "input gradient");
    // the score asked after backprop (DL4J's order) is the same
    assertThat(Math.abs(ln.computeScore(0, true, NO_WS) - sn)).isLessThan(1e-12 + p.tolerance * Math.abs(sn));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void clipLoss(Precision p) {
    Nd4j.getRandom().setSeed(9);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 8);
    compareLoss(new ClipLoss(4), new SameDiffClipLoss(4), InputType.feedForward(8), InputType.feedForward(8), x,
        false, Nd4j.zeros(DataType.DOUBLE, 5, 8), p);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void lmLossWithIgnoredTargets(Precision p) {
    LmLoss neu = new LmLoss(6, 11, 5);
    neu.setNormEps(LayerNorm.ND4J_EPS);
    INDArray labels = Nd4j.zeros(DataType.DOUBLE, B, 2, 5);
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    for (int i = 0; i < B; i++) {
      for (int t = 0; t < 5; t++) {
        labels.putScalar(new long[] {i, LmLoss.TARGET, t}, r.nextInt(11));
        labels.putScalar(new long[] {i, LmLoss.WEIGHT, t}, (i + t) % 3 == 0 ? LmLoss.IGNORE : LmLoss.LEARN);
      }
    }
    compareLoss(neu, new SameDiffLmLoss(6, 11, 5), InputType.recurrent(6, 5, RNNFormat.NWC),
        InputType.recurrent(6, 5), sequence(5, 6), true, labels, p);
  }
}
