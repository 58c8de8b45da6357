package io.sparkvlm.core.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ConnectorTest {
  static final int VISION = 6;
  static final int LM = 4;
  static final int PATCHES = 5;

  static ComputationGraph graph(Connector c, VisionFeatures features) {
    return graph(c, features, false);
  }

  /**
   * The connector into a loss; with {@code blockInFront} a transformer block feeds it, so the block's parameter
   * gradients check the connector's input gradient too.
   */
  static ComputationGraph graph(Connector c, VisionFeatures features, boolean blockInFront) {
    var b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).updater(new NoOp()).seed(3).graphBuilder()
        .addInputs("vit").setInputTypes(InputType.recurrent(VISION, PATCHES + 1, RNNFormat.NWC));
    if (blockInFront) {
      b.addLayer("block", new TransformerBlock(VISION, 2, 2, PATCHES + 1, false), "vit");
    }
    ComputationGraph g = new ComputationGraph(b
        .addLayer("connector", c.layer(VISION, LM, PATCHES, features), blockInFront ? "block" : "vit")
        .addLayer("loss", new SequenceMse(LM), "connector")
        .setOutputs("loss").build());
    g.init();
    return g;
  }

  @ParameterizedTest
  @CsvSource({"linear,PATCH", "mlp2x_gelu,PATCH", "resampler,PATCH", "linear,CLS_PATCH", "resampler,CLS_PATCH",
      "linear,PATCH_CENTRED", "mlp2x_gelu,PATCH_CENTRED", "resampler,PATCH_CENTRED"})
  void eachKindPassesADoublePrecisionGradientCheck(String name, VisionFeatures features) {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    Connector c = Connector.of(name, 3);
    ComputationGraph g = graph(c, features, true);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, PATCHES + 1, VISION).subi(0.5);                // [B, 1+P, Wv]
    INDArray y = Nd4j.rand(DataType.DOUBLE, 2, c.tokens(PATCHES, features), LM);
    assertThat(g.outputSingle(x).shape()).containsExactly(2, c.tokens(PATCHES, features), LM);
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y}).epsilon(1e-6).maxRelError(1e-4)
        .minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check of the %s connector", name).isTrue();
  }

  @Test
  void patchFeaturesIgnoreTheClassToken() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    ComputationGraph g = graph(new Connector.Mlp2xGelu(), VisionFeatures.PATCH);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, PATCHES + 1, VISION);
    INDArray before = g.outputSingle(x);
    x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(7.0);
    assertThat(g.outputSingle(x)).isEqualTo(before);
    x.putScalar(new long[] {0, 1, 0}, 7.0);
    assertThat(g.outputSingle(x)).isNotEqualTo(before);
  }

  /**
   * Centred patch features are the patch features of the image's patch tokens less their mean: equal to PATCH on
   * tokens centred by hand, blind to a vector added to every patch of an image, and not to one added to a single
   * patch.
   */
  @ParameterizedTest
  @CsvSource({"linear", "mlp2x_gelu", "resampler"})
  void centredPatchFeaturesReadEachPatchLessItsImagesMean(String name) {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    Connector c = Connector.of(name, 3);
    ComputationGraph centred = graph(c, VisionFeatures.PATCH_CENTRED);
    ComputationGraph plain = graph(c, VisionFeatures.PATCH);
    plain.setParams(centred.params());
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, PATCHES + 1, VISION).subi(0.5);                // [B, 1+P, Wv]
    INDArray byHand = x.dup();
    for (int i = 0; i < 2; i++) {
      INDArray patches = byHand.get(NDArrayIndex.point(i), NDArrayIndex.interval(1, PATCHES + 1),
          NDArrayIndex.all());                                                                  // [P, Wv]
      patches.subiRowVector(patches.mean(0));
    }
    INDArray out = centred.outputSingle(x);
    assertThat(out.equalsWithEps(plain.outputSingle(byHand), 1e-12)).isTrue();
    assertThat(out.equalsWithEps(plain.outputSingle(x), 1e-6)).isFalse();
    INDArray shifted = x.dup();
    shifted.get(NDArrayIndex.point(1), NDArrayIndex.interval(1, PATCHES + 1), NDArrayIndex.all())
        .addiRowVector(Nd4j.rand(DataType.DOUBLE, VISION).muli(5));
    assertThat(centred.outputSingle(shifted).equalsWithEps(out, 1e-10)).isTrue();
    shifted.putScalar(new long[] {1, 2, 0}, 9.0);
    assertThat(centred.outputSingle(shifted).equalsWithEps(out, 1e-6)).isFalse();
  }

  @Test
  void theFactoryKnowsLlavasNamesAndNothingElse() {
    assertThat(Connector.of("linear", 0)).isEqualTo(new Connector.Linear());
    for (String name : java.util.List.of("linear", "mlp2x_gelu", "resampler")) {
      assertThat(Connector.of(name, 4).name()).isEqualTo(name);
    }
    assertThat(Connector.of("MLP2X_GELU", 0)).isEqualTo(new Connector.Mlp2xGelu());
    assertThat(Connector.of("resampler", 16).tokens(49, VisionFeatures.PATCH)).isEqualTo(16);
    assertThat(new Connector.Linear().tokens(49, VisionFeatures.PATCH)).isEqualTo(49);
    assertThat(new Connector.Linear().tokens(49, VisionFeatures.CLS_PATCH)).isEqualTo(50);
    assertThat(new Connector.Linear().tokens(49, VisionFeatures.PATCH_CENTRED)).isEqualTo(49);
    assertThatThrownBy(() -> Connector.of("qformer", 8)).hasMessageContaining("qformer")
        .hasMessageContaining("mlp2x_gelu");
    assertThatThrownBy(() -> new Connector.Resampler(0)).hasMessageContaining("at least one query");
  }
}
