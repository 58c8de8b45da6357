package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Each tower run alone gives what the whole graph's forward pass gives for it: the same layers and weights, to float
 * rounding. Bitwise equal on an Intel Xeon; on an AMD EPYC OpenBLAS and ND4J's kernels rounded the two runs (and
 * batches of other sizes) differently in the seventh digit (2026-12-07), so the values are compared to 1e-5.
 */
class ClipTowerEmbeddingsTest {
  private static final ClipShape SHAPE = ClipShape.preset("nano");
  private static final float FLOAT_ROUNDING = 1e-5f;

  @Test
  void theImageTowerAloneEqualsTheWholeGraph() {
    ComputationGraph g = trained();
    List<float[]> pixels = pixels(5, new Random(3));
    List<int[]> someText = tokens(5, new Random(4));
    INDArray[] text = ClipInputs.text(someText, SHAPE.contextLength());
    INDArray whole = wholeGraph(g, ClipInputs.images(pixels, SHAPE.imageSize()), text).get(ClipModel.IMAGE_EMBEDDING);
    INDArray alone = ClipEmbeddings.along(g, ClipModel.imageTowerPath(SHAPE),
        ClipInputs.images(pixels, SHAPE.imageSize()), null);
    assertThat(alone.ravel().toFloatVector()).containsExactly(whole.ravel().toFloatVector(),
        within(FLOAT_ROUNDING));
    // and through the public call: unit rows of the same vectors, batches of 2 as one batch of 5
    double[][] embedded = ClipEmbeddings.images(g, SHAPE, pixels, 2);
    assertUnitRowsOf(embedded, whole);
  }

  @Test
  void theTextTowerAloneEqualsTheWholeGraphWhateverTheLengths() {
    ComputationGraph g = trained();
    List<int[]> tokens = tokens(6, new Random(5));     // lengths 1 .. context: padding and masks differ per row
    INDArray[] text = ClipInputs.text(tokens, SHAPE.contextLength());
    INDArray whole = wholeGraph(g, ClipInputs.images(pixels(6, new Random(6)), SHAPE.imageSize()), text)
        .get(ClipModel.TEXT_EMBEDDING);
    INDArray alone = ClipEmbeddings.along(g, ClipModel.textTowerPath(SHAPE), text[0], text[1]);
    assertThat(alone.ravel().toFloatVector()).containsExactly(whole.ravel().toFloatVector(),
        within(FLOAT_ROUNDING));
    assertUnitRowsOf(ClipEmbeddings.texts(g, SHAPE, tokens, 4), whole);
  }

  @Test
  void thePathsEndAtTheEmbeddingsAndShareNoLayer() {
    List<String> image = ClipModel.imageTowerPath(SHAPE);
    List<String> text = ClipModel.textTowerPath(SHAPE);
    assertThat(image).endsWith(ClipModel.IMAGE_EMBEDDING).hasSize(SHAPE.vision().layers() + 2);
    assertThat(text).endsWith(ClipModel.TEXT_EMBEDDING).hasSize(SHAPE.text().layers() + 3);
    assertThat(image).doesNotContainAnyElementsOf(text);
  }

  @Test
  void aPathThroughALayerOfTwoInputsIsRefused() {
    ComputationGraph g = trained();
    // the vertex that joins the two embeddings before the loss
    String joinName = g.getVertices()[g.getVertex(ClipModel.LOSS).getInputVertices()[0].getVertexIndex()]
        .getVertexName();
    assertThatThrownBy(() -> ClipEmbeddings.along(g, List.of(joinName),
        Nd4j.zeros(DataType.FLOAT, 1, SHAPE.embedDim()), null))
        .hasMessageContaining(joinName).hasMessageContaining("single-input");
  }

  /** A nano CLIP whose pooling norms are away from their initial values. */
  private static ComputationGraph trained() {
    ComputationGraph g = ClipModel.build(SHAPE, new NoOp(), DataType.FLOAT, 3);
    g.params().addi(Nd4j.rand(DataType.FLOAT, g.params().shape()).subi(0.5).muli(0.1));
    return g;
  }

  private static Map<String, INDArray> wholeGraph(ComputationGraph g, INDArray images, INDArray[] text) {
    g.setLayerMaskArrays(new INDArray[] {null, text[1]}, null);
    try {
      return g.feedForward(new INDArray[] {images, text[0]}, false);
    } finally {
      g.clearLayerMaskArrays();
    }
  }

  private static void assertUnitRowsOf(double[][] embedded, INDArray raw) {
    INDArray d = raw.castTo(DataType.DOUBLE);
    INDArray unit = d.divColumnVector(d.norm2(1).reshape(-1, 1).addi(1e-12));
    assertThat(embedded).hasDimensions((int) raw.size(0), (int) raw.size(1));
    for (int i = 0; i < embedded.length; i++) {
      assertThat(embedded[i]).containsExactly(unit.getRow(i).toDoubleVector(), within((double) FLOAT_ROUNDING));
    }
  }

  private static List<float[]> pixels(int n, Random r) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] p = new float[3 * SHAPE.imageSize() * SHAPE.imageSize()];
      for (int k = 0; k < p.length; k++) {
        p[k] = (float) r.nextGaussian();
      }
      out.add(p);
    }
    return out;
  }

  private static List<int[]> tokens(int n, Random r) {
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] t = new int[1 + (i * (SHAPE.contextLength() - 1)) / Math.max(1, n - 1)];
      for (int k = 0; k < t.length; k++) {
        t[k] = 1 + r.nextInt(SHAPE.vocabSize() - 1);
      }
      out.add(t);
    }
    return out;
  }
}
