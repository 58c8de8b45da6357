package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.Native;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CLIP's symmetric InfoNCE loss (OpenCLIP's ClipLoss) as a DL4J output layer with the learnable logit scale as its
 * parameter. Input: image and text embeddings side by side, [batch, 2 * dim] (a MergeVertex of the two
 * projections). With u, v the L2-normalised halves and s the logit scale:
 *
 * <pre>
 *   logits = exp(s) * u v^T                        [batch, batch]; the i-th image matches the i-th text
 *   loss   = (CE(logits, i) + CE(logits^T, i)) / 2 averaged over i
 * </pre>
 *
 * s starts at ln(1/0.07); {@link #clampLogitScale} keeps it in [0, ln 100] after each step, as OpenCLIP does.
 * Labels are required by DL4J but not used: the pairing is the diagonal. The output activations are the input
 * embeddings. The batch-sized products are computed in double precision on the heap.
 */
public class ClipLoss extends HandLayer {
  public static final String LOGIT_SCALE = "logitScale";
  public static final double INIT_LOGIT_SCALE = Math.log(1 / 0.07);
  public static final double MAX_LOGIT_SCALE = Math.log(100);
  /** Added to the squared norm before the square root, as the SameDiff loss did. */
  static final double NORM_EPS = 1e-12;

  private int dim;

  /** For JSON deserialisation. */
  public ClipLoss() {
  }

  public ClipLoss(int dim) {
    this.dim = dim;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    return List.of(ParamSpec.constant(LOGIT_SCALE, INIT_LOGIT_SCALE, 1, 1));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  /** OpenCLIP's clamp after an optimiser step: the logit scale stays within [0, ln 100]. */
  public static void clampLogitScale(ComputationGraph graph, String layerName) {
    INDArray s = graph.getLayer(layerName).getParam(LOGIT_SCALE);
    double value = s.getDouble(0);
    s.assign(Math.max(0, Math.min(MAX_LOGIT_SCALE, value)));
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(2L * dim);
  }

  public int getDim() {
    return dim;
  }

  public void setDim(int dim) {
    this.dim = dim;
  }

  /** The loss and its gradients, in doubles. */
  static final class Objective {
    private Objective() {}

    /**
     * Sum over the batch of the symmetric loss for embeddings {@code x} [b, 2d] (row-major) and logit scale
     * {@code s}; with {@code dx} (b * 2d) non-null, fills it with d(loss)/dx and returns d(loss)/ds in
     * {@code dScale[0]}.
     */
    static double loss(double[] x, int b, int d, double s, double[] dx, double[] dScale) {
      double[][] u = new double[b][d];
      double[][] v = new double[b][d];
      double[] nu = new double[b];
      double[] nv = new double[b];
      for (int i = 0; i < b; i++) {
        double su = 0;
        double sv = 0;
        for (int k = 0; k < d; k++) {
          su += x[i * 2 * d + k] * x[i * 2 * d + k];
          sv += x[i * 2 * d + d + k] * x[i * 2 * d + d + k];
        }
        nu[i] = Math.sqrt(su + NORM_EPS);
        nv[i] = Math.sqrt(sv + NORM_EPS);
        for (int k = 0; k < d; k++) {
          u[i][k] = x[i * 2 * d + k] / nu[i];
          v[i][k] = x[i * 2 * d + d + k] / nv[i];
        }
      }
      double scale = Math.exp(s);
      double[][] logits = new double[b][b];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < b; j++) {
          double dot = 0;
          for (int k = 0; k < d; k++) {
            dot += u[i][k] * v[j][k];
          }
          logits[i][j] = scale * dot;
        }
      }
      double[][] rows = softmax(logits, false);   // over texts, per image
      double[][] cols = softmax(logits, true);    // over images, per text
      double loss = 0;
      for (int i = 0; i < b; i++) {
        loss += 0.5 * (-Math.log(rows[i][i]) - Math.log(cols[i][i]));
      }
      if (dx == null) {
        return loss;
      }
      // dL/dlogits[i][j] = (rows - I)/2 + (cols - I)/2
      double[][] g = new double[b][b];
      double ds = 0;
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < b; j++) {
          g[i][j] = 0.5 * (rows[i][j] + cols[i][j]) - (i == j ? 1 : 0);
          ds += g[i][j] * logits[i][j];
        }
      }
      dScale[0] = ds;
      for (int i = 0; i < b; i++) {
        double[] du = new double[d];
        double[] dv = new double[d];
        for (int j = 0; j < b; j++) {
          for (int k = 0; k < d; k++) {
            du[k] += scale * g[i][j] * v[j][k];
            dv[k] += scale * g[j][i] * u[j][k];
          }
        }
        double pu = 0;
        double pv = 0;
        for (int k = 0; k < d; k++) {
          pu += du[k] * u[i][k];
          pv += dv[k] * v[i][k];
        }
        for (int k = 0; k < d; k++) {
          dx[i * 2 * d + k] = (du[k] - u[i][k] * pu) / nu[i];
          dx[i * 2 * d + d + k] = (dv[k] - v[i][k] * pv) / nv[i];
        }
      }
      return loss;
    }

    /** Row-wise (or column-wise) softmax. */
    private static double[][] softmax(double[][] a, boolean columns) {
      int b = a.length;
      double[][] out = new double[b][b];
      for (int r = 0; r < b; r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < b; k++) {
          max = Math.max(max, columns ? a[k][r] : a[r][k]);
        }
        double sum = 0;
        for (int k = 0; k < b; k++) {
          sum += Math.exp((columns ? a[k][r] : a[r][k]) - max);
        }
        for (int k = 0; k < b; k++) {
          double p = Math.exp((columns ? a[k][r] : a[r][k]) - max) / sum;
          if (columns) {
            out[k][r] = p;
          } else {
            out[r][k] = p;
          }
        }
      }
      return out;
    }
  }

  private static final class Runtime extends HandOutputRuntime<ClipLoss> {
    private INDArray inputGradient;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, LayerWorkspaceMgr mgr) {
      return mgr.leverageTo(org.deeplearning4j.nn.workspace.ArrayType.ACTIVATIONS, x);
    }

    @Override
    protected double loss(INDArray input, INDArray labels, boolean withGradients, LayerWorkspaceMgr mgr) {
      int d = layerConf().getDim();
      int b = (int) input.size(0);
      if (input.rank() != 2 || input.size(1) != 2L * d) {
        throw new IllegalArgumentException("ClipLoss expects [batch, " + 2 * d + "], got "
            + java.util.Arrays.toString(input.shape()));
      }
      double[] x = input.castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double s = params.get(LOGIT_SCALE).getDouble(0);
      if (!withGradients) {
        return Objective.loss(x, b, d, s, null, null);
      }
      double[] dx = new double[x.length];
      double[] ds = new double[1];
      double loss = Objective.loss(x, b, d, s, dx, ds);
      gradients.get(LOGIT_SCALE).assign(ds[0]);
      Buf g = Arena.temporaries().buf("dx", dataType, dx.length);
      for (int i = 0; i < dx.length; i++) {
        g.set(i, dx[i]);
      }
      inputGradient = inputGradient(mgr, b, 2L * d);
      Native.write(g, inputGradient);
      return loss;
    }

    @Override
    protected INDArray inputGradientOfLoss() {
      return inputGradient;
    }
  }
}
