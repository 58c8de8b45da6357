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
 * of {@link DetectionLabels} (the training queries' embeddings and each image's true boxes). Per image, each patch's
 * logit for each query ({@link DetectionHead.Outputs#logit}), then DETR's set loss ({@link DetectionLoss}: Hungarian
 * matching, sigmoid focal loss, L1 and GIoU), summed over the batch. No parameters; the output is the input.
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

  @Override
  public List<ParamSpec> paramSpecs() {
    return List.of();
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(new DetectionHead.Outputs(embedDim).width(), patches, RNNFormat.NWC);
  }

  /** One image's loss and its gradient for the head's output rows [P][F]. */
  static double imageLoss(double[][] rows, DetectionHead.Outputs o, double[][] queryEmbeddings,
      DetectionLabels.Truth truth, double[][] gradient) {
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
      double[][] rows = new double[p][f];
      double[][] gradient = withGradients ? new double[p][f] : null;
      for (int i = 0; i < b; i++) {
        for (int t = 0; t < p; t++) {
          System.arraycopy(x, (i * p + t) * f, rows[t], 0, f);
        }
        loss += imageLoss(rows, o, layout.queryEmbeddings(y, i), layout.truth(y, i), gradient);
        if (withGradients) {
          for (int t = 0; t < p; t++) {
            System.arraycopy(gradient[t], 0, dx, (i * p + t) * f, f);
          }
        }
      }
      if (withGradients) {
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
