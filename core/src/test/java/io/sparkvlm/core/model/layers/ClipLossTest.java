package io.sparkvlm.core.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class ClipLossTest {
  static final int B = 4;
  static final int D = 3;

  @BeforeAll
  static void doublePrecision() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  /** image [B,5] -> dense -> D, text [B,6] -> dense -> D, merged -> ClipLoss. */
  static ComputationGraph graph() {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(5).graphBuilder()
        .addInputs("image", "text").setInputTypes(InputType.feedForward(5), InputType.feedForward(6))
        .addLayer("imageProj", new DenseLayer.Builder().nIn(5).nOut(D).activation(Activation.IDENTITY).build(),
            "image")
        .addLayer("textProj", new DenseLayer.Builder().nIn(6).nOut(D).activation(Activation.IDENTITY).build(), "text")
        .addVertex("pair", new MergeVertex(), "imageProj", "textProj")
        .addLayer("loss", new ClipLoss(D), "pair")
        .setOutputs("loss").build());
    g.init();
    return g;
  }

  /** OpenCLIP's loss computed directly, in plain double arithmetic, from the two embedding matrices. */
  static double reference(INDArray img, INDArray txt, double logitScale) {
    int n = (int) img.size(0);
    double[][] u = new double[n][];
    double[][] v = new double[n][];
    for (int i = 0; i < n; i++) {
      u[i] = unit(img.getRow(i).toDoubleVector());
      v[i] = unit(txt.getRow(i).toDoubleVector());
    }
    double[][] logits = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double dot = 0;
        for (int k = 0; k < u[i].length; k++) {
          dot += u[i][k] * v[j][k];
        }
        logits[i][j] = Math.exp(logitScale) * dot;
      }
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      double rowSum = 0;
      double colSum = 0;
      for (int j = 0; j < n; j++) {
        rowSum += Math.exp(logits[i][j]);
        colSum += Math.exp(logits[j][i]);
      }
      total += (Math.log(rowSum) - logits[i][i] + Math.log(colSum) - logits[i][i]) / 2;
    }
    return total / n;
  }

  static double[] unit(double[] a) {
    double norm = 0;
    for (double x : a) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] /= norm;
    }
    return out;
  }

  @Test
  void lossEqualsOpenClipsFormulaAndTheGradientsCheck() {
    Nd4j.getRandom().setSeed(3);
    ComputationGraph g = graph();
    INDArray image = Nd4j.randn(DataType.DOUBLE, B, 5);
    INDArray text = Nd4j.randn(DataType.DOUBLE, B, 6);
    INDArray labels = Nd4j.zeros(DataType.DOUBLE, B, 2 * D);
    double score = g.score(new MultiDataSet(new INDArray[] {image, text}, new INDArray[] {labels}));
    var acts = g.feedForward(new INDArray[] {image, text}, false);
    double expected = reference(acts.get("imageProj"), acts.get("textProj"), ClipLoss.INIT_LOGIT_SCALE);
    assertThat(score).isCloseTo(expected, within(1e-10));
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {image, text}).labels(new INDArray[] {labels}).epsilon(1e-6).maxRelError(1e-5)
        .minAbsoluteError(1e-10).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check: projections and the logit scale").isTrue();
  }

  @Test
  void logitScaleStartsAtOneOverPointZeroSevenAndIsClampedAtAHundred() {
    ComputationGraph g = graph();
    assertThat(g.getLayer("loss").getParam(ClipLoss.LOGIT_SCALE).getDouble(0))
        .isCloseTo(Math.log(1 / 0.07), within(1e-12));
    g.getLayer("loss").getParam(ClipLoss.LOGIT_SCALE).assign(7.0);
    ClipLoss.clampLogitScale(g, "loss");
    assertThat(Math.exp(g.getLayer("loss").getParam(ClipLoss.LOGIT_SCALE).getDouble(0))).isCloseTo(100.0,
        within(1e-9));
    g.getLayer("loss").getParam(ClipLoss.LOGIT_SCALE).assign(-1.0);
    ClipLoss.clampLogitScale(g, "loss");
    assertThat(g.getLayer("loss").getParam(ClipLoss.LOGIT_SCALE).getDouble(0)).isZero();
  }
}
