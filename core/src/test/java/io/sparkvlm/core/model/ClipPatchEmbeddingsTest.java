package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

/** Patch embeddings go through the same layer norm and projection as the class token. */
class ClipPatchEmbeddingsTest {
  @Test
  void theClassTokensRowEqualsTheImageEmbedding() {
    ClipShape s = ClipShape.preset("nano");
    ComputationGraph g = ClipModel.build(s, new NoOp(), DataType.FLOAT, 3);
    // a trained-looking layer norm: gains and biases away from 1 and 0
    Random r = new Random(2);
    g.getLayer(ClipModel.IMAGE_EMBEDDING).getParam(io.sparkvlm.core.model.layers.TokenPool.LN_GAIN)
        .assign(org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 1, s.vision().width()).addi(0.5));
    g.getLayer(ClipModel.IMAGE_EMBEDDING).getParam(io.sparkvlm.core.model.layers.TokenPool.LN_BIAS)
        .assign(org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 1, s.vision().width()).subi(0.5));
    List<float[]> pixels = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      float[] p = new float[3 * s.imageSize() * s.imageSize()];
      for (int k = 0; k < p.length; k++) {
        p[k] = (float) r.nextGaussian();
      }
      pixels.add(p);
    }
    double[][] images = ClipEmbeddings.images(g, s, pixels, 2);
    double[][][] classToken = ClipEmbeddings.tokenEmbeddings(g, s, pixels, 2, 0, 1);
    for (int i = 0; i < images.length; i++) {
      for (int e = 0; e < images[i].length; e++) {
        assertThat(classToken[i][0][e]).as("image " + i + " dim " + e).isCloseTo(images[i][e], within(1e-5));
      }
    }
    double[][][] patches = ClipEmbeddings.patches(g, s, pixels, 2);
    assertThat(patches).hasDimensions(3, s.patches());
    assertThat(patches[0][0]).hasSize(s.embedDim());
    double norm = 0;
    for (double v : patches[1][5]) {
      norm += v * v;
    }
    assertThat(norm).isCloseTo(1.0, within(1e-9));
    // patches differ from each other (the random image differs per patch)
    assertThat(patches[0][0]).isNotEqualTo(patches[0][1]);
  }
}
