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

  /**
   * [images][patches][embed]: every patch token of the vision tower's last block through the image embedding's own
   * final layer norm and projection (what the class token goes through), L2-normalised: patch embeddings in the
   * joint space, row-major over the patch grid. The class token's row would equal {@link #images}'s (tested).
   */
  public static double[][][] patches(ComputationGraph g, ClipShape s, List<float[]> pixels, int batch) {
    return tokenEmbeddings(g, s, pixels, batch, 1, 1 + s.patches());
  }

  /** Tokens [from, to) of the vision tower's last block, as {@link #patches} embeds them (0: the class token). */
  static double[][][] tokenEmbeddings(ComputationGraph g, ClipShape s, List<float[]> pixels, int batch, int fromToken,
      int toToken) {
    org.deeplearning4j.nn.api.Layer pool = g.getLayer(ClipModel.IMAGE_EMBEDDING);
    org.deeplearning4j.nn.conf.layers.Layer conf = pool.conf().getLayer();
    if (conf instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop frozen) {
      conf = frozen.getUnderlying();
    }
    double eps = ((io.sparkvlm.core.model.layers.TokenPool) conf).getNormEps();
    double[] gain = pool.getParam(io.sparkvlm.core.model.layers.TokenPool.LN_GAIN).castTo(DataType.DOUBLE)
        .toDoubleVector();
    double[] bias = pool.getParam(io.sparkvlm.core.model.layers.TokenPool.LN_BIAS).castTo(DataType.DOUBLE)
        .toDoubleVector();
    INDArray projection = pool.getParam(io.sparkvlm.core.model.layers.TokenPool.PROJECTION)
        .castTo(DataType.DOUBLE);                                              // [W, E]
    String lastBlock = ClipModel.visionTowerLayers(s.vision().layers()).get(s.vision().layers());
    int width = s.vision().width();
    List<double[][]> out = new ArrayList<>();
    for (int from = 0; from < pixels.size(); from += batch) {
      List<float[]> part = pixels.subList(from, Math.min(pixels.size(), from + batch));
      List<int[]> placeholder = new ArrayList<>();
      for (int i = 0; i < part.size(); i++) {
        placeholder.add(new int[] {0});
      }
      INDArray[] text = ClipInputs.text(placeholder, s.contextLength());
      g.setLayerMaskArrays(new INDArray[] {null, text[1]}, null);
      INDArray tokens;
      try {
        tokens = g.feedForward(new INDArray[] {ClipInputs.images(part, s.imageSize()), text[0]}, false)
            .get(lastBlock).castTo(DataType.DOUBLE);                           // [B, 1 + P, W]
      } finally {
        g.clearLayerMaskArrays();
      }
      for (int b = 0; b < part.size(); b++) {
        INDArray t = tokens.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(fromToken, toToken),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();              // [P, W]
        double[][] x = t.toDoubleMatrix();
        for (double[] row : x) {
          double mean = 0;
          for (double v : row) {
            mean += v;
          }
          mean /= width;
          double var = 0;
          for (double v : row) {
            var += (v - mean) * (v - mean);
          }
          double rstd = 1 / Math.sqrt(var / width + eps);
          for (int i = 0; i < width; i++) {
            row[i] = (row[i] - mean) * rstd * gain[i] + bias[i];
          }
        }
        INDArray e = Nd4j.create(x).mmul(projection);                          // [P, E]
        e = e.divColumnVector(e.norm2(1).reshape(-1, 1).addi(1e-12));
        out.add(e.toDoubleMatrix());
      }
    }
    return out.toArray(double[][][]::new);
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
