package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.sparkvlm.core.model.layers.ClipLoss;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

class ClipModelTest {
  static ClipShape micro() {
    return ClipShape.from(ConfigFactory.parseString("""
        model { name = micro, embed-dim = 4
          vision { image-size = 8, patch-size = 4, width = 8, layers = 1, heads = 2, mlp-ratio = 2 }
          text { context-length = 5, vocab-size = 12, width = 8, layers = 1, heads = 2, mlp-ratio = 2 } }
        """));
  }

  /** Captions [SOT, word, EOT, PAD...] with their masks (end-of-text included). */
  static INDArray[] captions(int[] words, int context, DataType dt) {
    INDArray ids = Nd4j.zeros(dt, words.length, 1, context);
    INDArray mask = Nd4j.zeros(dt, words.length, context);
    for (int i = 0; i < words.length; i++) {
      ids.putScalar(new long[] {i, 0, 0}, 1);
      ids.putScalar(new long[] {i, 0, 1}, words[i]);
      ids.putScalar(new long[] {i, 0, 2}, 2);
      for (int t = 0; t < 3; t++) {
        mask.putScalar(i, t, 1);
      }
    }
    return new INDArray[] {ids, mask};
  }

  @Test
  void parameterLayoutIsOpenClipsForEveryPresetSize() {
    for (String preset : new String[] {"nano", "tiny"}) {
      ClipShape s = ClipShape.preset(preset);
      ComputationGraph g = ClipModel.build(s, new NoOp(), DataType.FLOAT, 1);
      assertThat(g.numParams()).as(preset).isEqualTo(s.params());
    }
  }

  @Test
  void theAssembledModelPassesADoublePrecisionGradientCheck() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(21);
    ComputationGraph g = ClipModel.build(micro(), new NoOp(), DataType.DOUBLE, 4);
    INDArray images = Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8);
    INDArray[] text = captions(new int[] {5, 7, 9}, 5, DataType.DOUBLE);
    text[0].putScalar(new long[] {2, 0, 2}, 6); // the third caption is one word longer
    text[0].putScalar(new long[] {2, 0, 3}, 2);
    text[1].putScalar(2, 3, 1);
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {images, text[0]}).labels(new INDArray[] {Nd4j.zeros(DataType.DOUBLE, 3, 8)})
        .inputMask(new INDArray[] {null, text[1]}).epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9)
        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check of the whole CLIP graph").isTrue();
  }

  @Test
  void aNanoClipLearnsToMatchColoursWithTheirWords() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    ClipShape s = ClipShape.from(ConfigFactory.parseString("""
        model { name = nano-colours, embed-dim = 16
          vision { image-size = 8, patch-size = 4, width = 16, layers = 1, heads = 2, mlp-ratio = 2 }
          text { context-length = 4, vocab-size = 12, width = 16, layers = 1, heads = 2, mlp-ratio = 2 } }
        """));
    ComputationGraph g = ClipModel.build(s, new Adam(3e-3), DataType.FLOAT, 9);
    double[][] colours = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {0, 1, 1}, {1, 0, 1}};
    SplittableRandom r = new SplittableRandom(5);
    int batch = 12;
    for (int step = 0; step < 250; step++) {
      int[] labels = new int[batch];
      INDArray images = Nd4j.zeros(DataType.FLOAT, batch, 3, 8, 8);
      for (int i = 0; i < batch; i++) {
        labels[i] = i % colours.length;
        fill(images, i, colours[labels[i]], r);
      }
      int[] words = new int[batch];
      for (int i = 0; i < batch; i++) {
        words[i] = 3 + labels[i];
      }
      INDArray[] text = captions(words, 4, DataType.FLOAT);
      g.fit(new MultiDataSet(new INDArray[] {images, text[0]}, new INDArray[] {Nd4j.zeros(DataType.FLOAT, batch,
          32)}, new INDArray[] {null, text[1]}, null));
      ClipLoss.clampLogitScale(g, ClipModel.LOSS);
    }
    // held-out images, one per colour: does each image's embedding pick its own colour's caption?
    INDArray images = Nd4j.zeros(DataType.FLOAT, colours.length, 3, 8, 8);
    int[] words = new int[colours.length];
    for (int c = 0; c < colours.length; c++) {
      fill(images, c, colours[c], new SplittableRandom(100 + c));
      words[c] = 3 + c;
    }
    INDArray[] text = captions(words, 4, DataType.FLOAT);
    g.setLayerMaskArrays(new INDArray[] {null, text[1]}, null);
    Map<String, INDArray> acts = g.feedForward(new INDArray[] {images, text[0]}, false);
    g.clearLayerMaskArrays();
    INDArray img = acts.get(ClipModel.IMAGE_EMBEDDING);
    INDArray txt = acts.get(ClipModel.TEXT_EMBEDDING);
    img = img.divColumnVector(img.norm2(1).reshape(-1, 1));
    txt = txt.divColumnVector(txt.norm2(1).reshape(-1, 1));
    INDArray sim = img.mmul(txt.transpose());
    int correct = 0;
    for (int c = 0; c < colours.length; c++) {
      correct += sim.getRow(c).argMax().getInt(0) == c ? 1 : 0;
    }
    assertThat(correct).as("image-to-text R@1 out of 6 (chance: 1)").isGreaterThanOrEqualTo(5);
  }

  static void fill(INDArray images, int i, double[] rgb, SplittableRandom r) {
    for (int ch = 0; ch < 3; ch++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          images.putScalar(new long[] {i, ch, y, x}, rgb[ch] * 0.8 + r.nextDouble() * 0.2);
        }
      }
    }
  }
}
