package io.sparkvlm.core.model.layers.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Double-precision gradient checks: DL4J M2.1's doubled SameDiffLayer gradients, and the fix. */
class SameDiffSeamTest {
  @BeforeAll
  static void doublePrecision() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  /** The same layer without the seam correction: what DL4J gives a plain SameDiffLayer. */
  public static class UncorrectedGain extends SameDiffLayer {
    private int size;

    public UncorrectedGain() {
    }

    UncorrectedGain(int size) {
      this.size = size;
    }

    public int getSize() {
      return size;
    }

    public void setSize(int size) {
      this.size = size;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
      return x.mul(p.get(ElementwiseGain.GAIN));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
      params.addWeightParam(ElementwiseGain.GAIN, 1, size);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
      params.get(ElementwiseGain.GAIN).assign(1.3);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
      return InputType.feedForward(size);
    }
  }

  /**
   * in -> dense(tanh) -> gain -> MSE: the dense layer's gradients pass through the gain layer's input gradient.
   */
  static ComputationGraph graph(Layer gain) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(7).weightInit(WeightInit.XAVIER).graphBuilder()
        .addInputs("in").setInputTypes(InputType.feedForward(4))
        .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "in")
        .addLayer("gain", gain, "dense")
        .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
            .build(), "gain")
        .setOutputs("out").build());
    g.init();
    return g;
  }

  static INDArray input() {
    return Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5);
  }

  static INDArray labels() {
    return Nd4j.rand(DataType.DOUBLE, 3, 5);
  }

  /** Analytic over numerical gradient of one parameter element, by central differences. */
  static double ratio(ComputationGraph g, INDArray in, INDArray labels, String param, int index) {
    g.setInputs(in);
    g.setLabels(labels);
    g.computeGradientAndScore();
    // the raw gradient is summed over the batch; the score (and what the updater applies) is its mean
    double analytic = g.gradient().getGradientFor(param).getDouble(index) / in.size(0);
    INDArray p = g.getParam(param);
    double original = p.getDouble(index);
    double eps = 1e-6;
    // as GradientCheckUtil does it: the score of the same training pass, with the parameter nudged
    p.putScalar(index, original + eps);
    g.computeGradientAndScore();
    double plus = g.score();
    p.putScalar(index, original - eps);
    g.computeGradientAndScore();
    double minus = g.score();
    p.putScalar(index, original);
    return analytic / ((plus - minus) / (2 * eps));
  }

  @Test
  void aPlainSameDiffLayerGetsExactlyTwiceTheGradient() {
    Nd4j.getRandom().setSeed(1);
    ComputationGraph g = graph(new UncorrectedGain(5));
    INDArray in = input();
    INDArray labels = labels();
    // both the layer's own parameter and the dense layer below it (reached through the input gradient)
    assertThat(ratio(g, in, labels, "gain_" + ElementwiseGain.GAIN, 2)).isCloseTo(2.0, within(1e-5));
    assertThat(ratio(g, in, labels, "dense_W", 3)).isCloseTo(2.0, within(1e-5));
  }

  @Test
  void theSeamCorrectionGivesExactGradients() {
    Nd4j.getRandom().setSeed(1);
    ComputationGraph g = graph(new ElementwiseGain(5, 1.3));
    INDArray in = input();
    INDArray labels = labels();
    assertThat(ratio(g, in, labels, "gain_" + ElementwiseGain.GAIN, 2)).isCloseTo(1.0, within(1e-5));
    assertThat(ratio(g, in, labels, "dense_W", 3)).isCloseTo(1.0, within(1e-5));
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {in}).labels(new INDArray[] {labels}).epsilon(1e-6).maxRelError(1e-5)
        .minAbsoluteError(1e-10).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check of dense + ElementwiseGain").isTrue();
    // the forward pass is unchanged by the correction: y = dense(x) * 1.3
    INDArray dense = g.feedForward(in, false).get("dense");
    assertThat(g.outputSingle(in).equalsWithEps(dense.mul(1.3), 1e-12)).isTrue();
  }
}
