package io.sparkvlm.core.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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

  @ParameterizedTest
  @EnumSource(value = TokenPool.Pick.class, names = {"FIRST", "PATCH_MAX"})
  void visionStemBlockAndImagePool(TokenPool.Pick pick) {
    Nd4j.getRandom().setSeed(3);
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(3).graphBuilder()
        .addInputs("image").setInputTypes(InputType.convolutional(8, 8, 3))
        .addLayer("stem", new VisionEmbedding(8, 4, 8), "image")
        .addLayer("block", new TransformerBlock(8, 2, 2, 5, false), "stem")
        .addLayer("pool", new TokenPool(8, 4, 5, pick), "block")
        .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
            .build(), "pool")
        .setOutputs("out").build());
    g.init();
    assertThat(check(g, Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8), null, 4)).as("gradient check, pool %s", pick).isTrue();
  }

  /** PATCH_MAX against its definition: norm each patch token, each channel's maximum over them, projection. */
  @Test
  void patchMaxPoolsTheNormedPatchesNotTheClassToken() {
    Nd4j.getRandom().setSeed(6);
    int batch = 2;
    int time = 5;
    int width = 6;
    int embed = 3;
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new NoOp()).seed(6).graphBuilder()
        .addInputs("image").setInputTypes(InputType.convolutional(4, 4, 3))
        .addLayer("stem", new VisionEmbedding(4, 2, width), "image")
        .addLayer("pool", new TokenPool(width, embed, time, TokenPool.Pick.PATCH_MAX), "stem")
        .setOutputs("pool").build());
    g.init();
    INDArray gain = g.getLayer("pool").getParam(TokenPool.LN_GAIN).assign(Nd4j.rand(DataType.DOUBLE, 1, width));
    INDArray bias = g.getLayer("pool").getParam(TokenPool.LN_BIAS).assign(Nd4j.randn(DataType.DOUBLE, 1, width));
    INDArray projection = g.getLayer("pool").getParam(TokenPool.PROJECTION);
    // a class token far from the patches; the data must tell a pool that reads it from one that does not
    g.getLayer("stem").getParam(VisionEmbedding.CLASS_TOKEN).assign(Nd4j.create(new double[] {50, 40, 30, -30, -40, -50}).reshape(1, width));
    INDArray image = Nd4j.rand(DataType.DOUBLE, batch, 3, 4, 4);
    INDArray tokens = g.feedForward(new INDArray[] {image}, false).get("stem");  // [B, 1 + P, W]
    assertThat(tokens.shape()).containsExactly(batch, time, width);
    double[][] out = g.outputSingle(image).toDoubleMatrix();
    double differenceWithClassToken = 0;
    for (int b = 0; b < batch; b++) {
      double[] expected = maxPooledProjection(tokens.slice(b), 1, gain, bias, projection);
      double[] withClassToken = maxPooledProjection(tokens.slice(b), 0, gain, bias, projection);
      for (int e = 0; e < embed; e++) {
        assertThat(out[b][e]).as("image %d, output %d", b, e).isCloseTo(expected[e],
            org.assertj.core.api.Assertions.within(1e-10));
        differenceWithClassToken = Math.max(differenceWithClassToken, Math.abs(withClassToken[e] - expected[e]));
      }
    }
    assertThat(differenceWithClassToken).as("the class token changes the pool in this test's data").isGreaterThan(1e-3);
  }

  /** Tokens [T, W] from {@code from}, each normed, the maximum per channel, projected: [E]. */
  static double[] maxPooledProjection(INDArray tokens, int from, INDArray gain, INDArray bias, INDArray projection) {
    int width = (int) tokens.size(1);
    double[] pooled = new double[width];
    java.util.Arrays.fill(pooled, Double.NEGATIVE_INFINITY);
    for (int t = from; t < tokens.size(0); t++) {
      double[] row = tokens.getRow(t).toDoubleVector();
      double mean = java.util.Arrays.stream(row).average().orElseThrow();
      double var = java.util.Arrays.stream(row).map(v -> (v - mean) * (v - mean)).sum() / width;
      for (int c = 0; c < width; c++) {
        pooled[c] = Math.max(pooled[c], (row[c] - mean) / Math.sqrt(var + 1e-5) * gain.getDouble(c) + bias.getDouble(c));
      }
    }
    double[] out = new double[(int) projection.size(1)];
    for (int e = 0; e < out.length; e++) {
      for (int c = 0; c < width; c++) {
        out[e] += pooled[c] * projection.getDouble(c, e);
      }
    }
    return out;
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
