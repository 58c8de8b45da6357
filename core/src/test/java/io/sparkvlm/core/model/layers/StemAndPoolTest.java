package io.sparkvlm.core.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Double-precision gradient checks of the towers' stems and heads. */
class StemAndPoolTest {
  @BeforeAll
  static void doublePrecision() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  static boolean check(ComputationGraph g, INDArray x, INDArray mask, int embed) {
    return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g).inputs(new INDArray[] {x})
        .labels(new INDArray[] {Nd4j.randn(DataType.DOUBLE, x.size(0), embed)})
        .inputMask(mask == null ? null : new INDArray[] {mask}).epsilon(1e-6).maxRelError(1e-4)
        .minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
  }

  @Test
  void visionStemBlockAndClassTokenPool() {
    Nd4j.getRandom().setSeed(3);
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(3).graphBuilder()
        .addInputs("image").setInputTypes(InputType.convolutional(8, 8, 3))
        .addLayer("stem", new VisionEmbedding(8, 4, 8), "image")
        .addLayer("block", new TransformerBlock(8, 2, 2, 5, false), "stem")
        .addLayer("pool", new TokenPool(8, 4, 5, TokenPool.Pick.FIRST), "block")
        .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
            .build(), "pool")
        .setOutputs("out").build());
    g.init();
    assertThat(check(g, Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8), null, 4)).isTrue();
  }

  @Test
  void textStemWithRepeatedIdsAndEndOfTextPooling() {
    Nd4j.getRandom().setSeed(4);
    var b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(3).graphBuilder()
        .addInputs("text").setInputTypes(InputType.recurrent(1, 5));
    String stem = TextStem.add(b, "text", 12, 5, 8);
    ComputationGraph g = new ComputationGraph(b
        .addLayer("pool", new TokenPool(8, 4, 5, TokenPool.Pick.LAST), stem)
        .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
            .build(), "pool")
        .setOutputs("out").build());
    g.init();
    // start (1), end (2) and padding (0) repeat across captions: the case SameDiff gather's backprop got wrong, and
    // the token table's scatter-add must sum
    INDArray ids = Nd4j.create(new double[][] {{1, 5, 2, 0, 0}, {1, 7, 2, 0, 0}, {1, 6, 4, 2, 0}}).reshape(3, 1, 5);
    INDArray mask = Nd4j.create(new double[][] {{1, 1, 1, 0, 0}, {1, 1, 1, 0, 0}, {1, 1, 1, 1, 0}});
    assertThat(check(g, ids, mask, 4)).isTrue();
  }
}
