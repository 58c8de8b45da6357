package io.sparkvlm.core.model.detection;

import io.sparkvlm.core.model.layers.HandLayer;
import io.sparkvlm.core.model.layers.HandOutputRuntime;
import io.sparkvlm.core.model.layers.HandRuntime;
import io.sparkvlm.core.model.layers.ParamSpec;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The detector's loss as a DL4J output layer: {@link DetectionHead}'s per-patch outputs [B, P, F] against the labels
 * of {@link DetectionLabels} (the training queries' text embeddings and each image's true boxes). The queries first
 * pass the learned query adapter ({@link #adapt}: q' = normalise(q W), W [D, D] starting as the identity), then per
 * image each patch's logit for each query ({@link DetectionHead.Outputs#logit}), then DETR's set loss
 * ({@link DetectionLoss}: Hungarian matching, sigmoid focal loss, L1 and GIoU), summed over the batch. The output is
 * the input.
 *
 * <p>The adapter stands in for what OWL-ViT gets from fine-tuning its text tower, which here stays outside the graph
 * (the queries are embedded once): a linear map of any query's embedding, so the detector stays open vocabulary
 * (unseen queries go through the same map, {@link io.sparkvlm.core.model.DetectorModel#detect}).
 */
public class DetectionSetLoss extends HandLayer {
  private int embedDim;
  private int patches;
  private int queries;
  private int maxBoxes;

  /** For JSON deserialisation. */
  public DetectionSetLoss() {
  }

  public DetectionSetLoss(int embedDim, int patches, int queries, int maxBoxes) {
    this.embedDim = embedDim;
    this.patches = patches;
    this.queries = queries;
    this.maxBoxes = maxBoxes;
  }

  public DetectionLabels labels() {
    return new DetectionLabels(queries, embedDim, maxBoxes);
  }

  /** The query adapter's weight [D, D]; set to the identity when the detector is built. */
  public static final String QUERY_W = "queryW";

  @Override
  public List<ParamSpec> paramSpecs() {
    return List.of(ParamSpec.embedding(QUERY_W, 0, embedDim, embedDim));
  }

  /** Unit query embeddings through the adapter {@code w} [D][D] (row-major): normalise(q W), row by row. */
  public static double[][] adapt(double[][] queries, double[] w, int d) {
    double[][] out = new double[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      out[q] = adaptOne(queries[q], w, d, null);
    }
    return out;
  }

  /** normalise(q W); {@code norm} (length 1), when given, receives |q W|. */
  private static double[] adaptOne(double[] q, double[] w, int d, double[] norm) {
    double[] y = new double[d];
    for (int i = 0; i < d; i++) {
      double qi = q[i];
      if (qi == 0) {
        continue;
      }
      for (int j = 0; j < d; j++) {
        y[j] += qi * w[i * d + j];
      }
    }
    double sq = 0;
    for (double v : y) {
      sq += v * v;
    }
    double n = Math.sqrt(sq + DetectionHead.NORM_EPS);
    for (int j = 0; j < d; j++) {
      y[j] /= n;
    }
    if (norm != null) {
      norm[0] = n;
    }
    return y;
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(new DetectionHead.Outputs(embedDim).width(), patches, RNNFormat.NWC);
  }

  /**
   * One image's loss and its gradient for the head's output rows [P][F]; with {@code queryGradient} [Q][D] non-null,
   * adds d loss / d (adapted query) to it.
   */
  static double imageLoss(double[][] rows, DetectionHead.Outputs o, double[][] queryEmbeddings,
      DetectionLabels.Truth truth, double[][] gradient, double[][] queryGradient) {
    int p = rows.length;
    int q = queryEmbeddings.length;
    double[][] logits = new double[p][q];
    double[][] boxes = new double[p][];
    for (int i = 0; i < p; i++) {
      boxes[i] = o.box(rows[i]);
      for (int k = 0; k < q; k++) {
        logits[i][k] = o.logit(rows[i], queryEmbeddings[k]);
      }
    }
    DetectionLoss.Result r = DetectionLoss.compute(logits, boxes, truth.boxes(), truth.queries());
    if (gradient != null) {
      for (int i = 0; i < p; i++) {
        double[] g = gradient[i];
        java.util.Arrays.fill(g, 0);
        double scale = rows[i][o.scale()];
        for (int k = 0; k < q; k++) {
          double dl = r.logitGradient()[i][k];
          if (dl == 0) {
            continue;
          }
          double cos = o.cosine(rows[i], queryEmbeddings[k]);
          for (int e = 0; e < o.embedDim(); e++) {
            g[DetectionHead.Outputs.EMBED + e] += dl * scale * queryEmbeddings[k][e];
            if (queryGradient != null) {
              queryGradient[k][e] += dl * scale * rows[i][DetectionHead.Outputs.EMBED + e];
            }
          }
          g[o.shift()] += dl * scale;
          g[o.scale()] += dl * (cos + rows[i][o.shift()]);
        }
        for (int k = 0; k < DetectionHead.Outputs.BOX_VALUES; k++) {
          g[DetectionHead.Outputs.BOX + k] = r.boxGradient()[i][k];
        }
      }
    }
    return r.loss();
  }

  public int getEmbedDim() {
    return embedDim;
  }

  public void setEmbedDim(int embedDim) {
    this.embedDim = embedDim;
  }

  public int getPatches() {
    return patches;
  }

  public void setPatches(int patches) {
    this.patches = patches;
  }

  public int getQueries() {
    return queries;
  }

  public void setQueries(int queries) {
    this.queries = queries;
  }

  public int getMaxBoxes() {
    return maxBoxes;
  }

  public void setMaxBoxes(int maxBoxes) {
    this.maxBoxes = maxBoxes;
  }

  private static final class Runtime extends HandOutputRuntime<DetectionSetLoss> {
    private INDArray inputGradient;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, LayerWorkspaceMgr mgr) {
      return mgr.leverageTo(ArrayType.ACTIVATIONS, x);
    }

    @Override
    protected double loss(INDArray input, INDArray labels, boolean withGradients, LayerWorkspaceMgr mgr) {
      DetectionSetLoss l = layerConf();
      DetectionHead.Outputs o = new DetectionHead.Outputs(l.getEmbedDim());
      DetectionLabels layout = l.labels();
      int f = o.width();
      int p = l.getPatches();
      if (input.rank() != 3 || input.size(1) != p || input.size(2) != f) {
        throw new IllegalArgumentException("DetectionSetLoss expects [batch, " + p + ", " + f + "], got "
            + java.util.Arrays.toString(input.shape()));
      }
      int b = (int) input.size(0);
      if (labels.rank() != 2 || labels.size(0) != b || labels.size(1) != layout.width()) {
        throw new IllegalArgumentException("DetectionSetLoss expects labels [" + b + ", " + layout.width()
            + "] (DetectionLabels), got " + java.util.Arrays.toString(labels.shape()));
      }
      double[] x = input.castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double[] y = labels.castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double[] dx = withGradients ? new double[x.length] : null;
      double loss = 0;
      int d = l.getEmbedDim();
      double[] w = params.get(QUERY_W).castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double[][] rows = new double[p][f];
      double[][] gradient = withGradients ? new double[p][f] : null;
      double[] dW = withGradients ? new double[d * d] : null;
      for (int i = 0; i < b; i++) {
        for (int t = 0; t < p; t++) {
          System.arraycopy(x, (i * p + t) * f, rows[t], 0, f);
        }
        double[][] raw = layout.queryEmbeddings(y, i);
        double[][] adapted = new double[raw.length][];
        double[] norms = new double[raw.length];
        double[] one = new double[1];
        for (int q = 0; q < raw.length; q++) {
          adapted[q] = adaptOne(raw[q], w, d, one);
          norms[q] = one[0];
        }
        double[][] dAdapted = withGradients ? new double[raw.length][d] : null;
        loss += imageLoss(rows, o, adapted, layout.truth(y, i), gradient, dAdapted);
        if (withGradients) {
          // through the normalisation: d y = (d a - a (a . d a)) / |y|, then d W += q^T d y
          for (int q = 0; q < raw.length; q++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
              dot += adapted[q][j] * dAdapted[q][j];
            }
            for (int j = 0; j < d; j++) {
              double dy = (dAdapted[q][j] - adapted[q][j] * dot) / norms[q];
              if (dy == 0) {
                continue;
              }
              for (int k = 0; k < d; k++) {
                dW[k * d + j] += raw[q][k] * dy;
              }
            }
          }
        }
        if (withGradients) {
          for (int t = 0; t < p; t++) {
            System.arraycopy(gradient[t], 0, dx, (i * p + t) * f, f);
          }
        }
      }
      if (withGradients) {
        gradients.get(QUERY_W).assign(Nd4j.create(dW, new long[] {d, d}, 'c').castTo(dataType)
            .reshape('c', gradients.get(QUERY_W).shape()));
        inputGradient = inputGradient(mgr, b, p, f);
        inputGradient.assign(Nd4j.create(dx, new long[] {b, p, f}, 'c').castTo(dataType));
      }
      return loss;
    }

    @Override
    protected INDArray inputGradientOfLoss() {
      return inputGradient;
    }
  }
}
