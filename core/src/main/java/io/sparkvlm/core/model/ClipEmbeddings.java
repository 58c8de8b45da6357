package io.sparkvlm.core.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * L2-normalised embeddings from a {@link ClipModel} graph, in batches. Only the tower asked for runs: its layers
 * ({@link ClipModel#imageTowerPath}, {@link ClipModel#textTowerPath}) are applied one after another, which gives
 * what the whole graph's forward pass gives for that tower (tested) without computing the other one.
 * Not thread-safe (a DL4J graph is not): one graph per thread or task.
 */
public final class ClipEmbeddings {
  private ClipEmbeddings() {}

  /** [images][embed] for channel-first normalised pixels. */
  public static double[][] images(ComputationGraph g, ClipShape s, List<float[]> pixels, int batch) {
    List<double[]> out = new ArrayList<>();
    for (int from = 0; from < pixels.size(); from += batch) {
      List<float[]> part = pixels.subList(from, Math.min(pixels.size(), from + batch));
      INDArray e = along(g, ClipModel.imageTowerPath(s), ClipInputs.images(part, s.imageSize()), null);  // [B, E]
      out.addAll(rows(unitRows(e)));
    }
    return out.toArray(double[][]::new);
  }

  /** [texts][embed] for token ids (see {@link ClipInputs#tokens}). */
  public static double[][] texts(ComputationGraph g, ClipShape s, List<int[]> tokens, int batch) {
    List<double[]> out = new ArrayList<>();
    for (int from = 0; from < tokens.size(); from += batch) {
      List<int[]> part = tokens.subList(from, Math.min(tokens.size(), from + batch));
      INDArray[] text = ClipInputs.text(part, s.contextLength());                 // ids [B, 1, T], mask [B, T]
      INDArray e = along(g, ClipModel.textTowerPath(s), text[0], text[1]);        // [B, E]
      out.addAll(rows(unitRows(e)));
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
    int width = s.vision().width();
    List<double[][]> out = new ArrayList<>();
    for (int from = 0; from < pixels.size(); from += batch) {
      List<float[]> part = pixels.subList(from, Math.min(pixels.size(), from + batch));
      INDArray tokens = along(g, ClipModel.visionTowerLayers(s.vision().layers()),
          ClipInputs.images(part, s.imageSize()), null).castTo(DataType.DOUBLE);    // [B, 1 + P, W]
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

  /**
   * {@code input} through the graph's layers {@code path} in order, each fed the previous one's output (inference
   * mode, no workspaces), with {@code mask} (or none) carried along as the graph would carry it: the last layer's
   * output.
   */
  static INDArray along(ComputationGraph g, List<String> path, INDArray input, INDArray mask) {
    LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
    int batch = (int) input.size(0);
    INDArray x = input;
    INDArray m = mask;
    MaskState state = mask == null ? null : MaskState.Active;
    try {
      for (String name : path) {
        GraphVertex v = g.getVertex(name);
        if (v.getInputVertices().length != 1) {
          throw new IllegalArgumentException("layer " + name + " takes " + v.getInputVertices().length
              + " inputs; a path is a chain of single-input layers");
        }
        Pair<INDArray, MaskState> carried = v.feedForwardMaskArrays(new INDArray[] {m}, state, batch);
        if (carried != null) {
          m = carried.getFirst();
          state = carried.getSecond();
        }
        v.setInput(0, x, noWorkspaces);
        x = v.doForward(false, noWorkspaces);
        v.clear();
      }
      return x;
    } finally {
      g.clearLayerMaskArrays();
    }
  }

  /** Each row divided by its length. */
  private static INDArray unitRows(INDArray e) {
    INDArray d = e.castTo(DataType.DOUBLE);
    return d.divColumnVector(d.norm2(1).reshape(-1, 1).addi(1e-12));
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
