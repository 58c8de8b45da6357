package io.sparkvlm.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * L2-normalised embeddings from a {@link ClipModel} graph, in batches. The graph computes both towers at once, so
 * the tower not asked for gets a placeholder input (one token / a blank image): its output is ignored.
 * Not thread-safe (a DL4J graph is not): one graph per thread or task.
 */
public final class ClipEmbeddings {
  private ClipEmbeddings() {}

  /** [images][embed] for channel-first normalised pixels. */
  public static double[][] images(ComputationGraph g, ClipShape s, List<float[]> pixels, int batch) {
    List<double[]> out = new ArrayList<>();
    for (int from = 0; from < pixels.size(); from += batch) {
      List<float[]> part = pixels.subList(from, Math.min(pixels.size(), from + batch));
      List<int[]> placeholder = new ArrayList<>();
      for (int i = 0; i < part.size(); i++) {
        placeholder.add(new int[] {0});
      }
      INDArray[] text = ClipInputs.text(placeholder, s.contextLength());
      out.addAll(rows(embed(g, ClipInputs.images(part, s.imageSize()), text, ClipModel.IMAGE_EMBEDDING)));
    }
    return out.toArray(double[][]::new);
  }

  /** [texts][embed] for token ids (see {@link ClipInputs#tokens}). */
  public static double[][] texts(ComputationGraph g, ClipShape s, List<int[]> tokens, int batch) {
    List<double[]> out = new ArrayList<>();
    for (int from = 0; from < tokens.size(); from += batch) {
      List<int[]> part = tokens.subList(from, Math.min(tokens.size(), from + batch));
      INDArray blank = Nd4j.zeros(DataType.FLOAT, part.size(), 3, s.imageSize(), s.imageSize());
      out.addAll(rows(embed(g, blank, ClipInputs.text(part, s.contextLength()), ClipModel.TEXT_EMBEDDING)));
    }
    return out.toArray(double[][]::new);
  }

  private static INDArray embed(ComputationGraph g, INDArray images, INDArray[] text, String output) {
    g.setLayerMaskArrays(new INDArray[] {null, text[1]}, null);
    try {
      Map<String, INDArray> acts = g.feedForward(new INDArray[] {images, text[0]}, false);
      INDArray e = acts.get(output).castTo(DataType.DOUBLE);                  // [B, E]
      return e.divColumnVector(e.norm2(1).reshape(-1, 1).addi(1e-12));        // rows of unit length
    } finally {
      g.clearLayerMaskArrays();
    }
  }

  private static List<double[]> rows(INDArray m) {
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < m.rows(); i++) {
      rows.add(m.getRow(i).toDoubleVector());
    }
    return rows;
  }

  /** a · bᵀ for row-normalised embeddings: cosine similarities [a][b]. */
  public static double[][] similarity(double[][] a, double[][] b) {
    INDArray x = Nd4j.create(a);
    INDArray y = Nd4j.create(b);
    return x.mmul(y.transpose()).toDoubleMatrix();
  }
}
