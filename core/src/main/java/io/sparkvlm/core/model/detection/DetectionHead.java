package io.sparkvlm.core.model.detection;

import io.sparkvlm.core.model.layers.HandLayer;
import io.sparkvlm.core.model.layers.HandRuntime;
import io.sparkvlm.core.model.layers.ParamSpec;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * OWL-ViT's detection head on a ViT's last block. The class token is dropped; every patch token x, after a layer
 * norm h = LN(x), predicts
 *
 * <pre>
 *   box   = sigmoid(W2 gelu(W1 h + b1) + b2 + bias_p)    (cx, cy, w, h) in [0, 1]; bias_p = logit of patch p's centre
 *                                                        and of one patch's size, so an untrained box is its patch
 *   embed = (Wc h + bc) / |Wc h + bc|                    a unit class embedding in the CLIP's joint space
 *   shift = ws . h + bs,  scale = elu(wk . h + bk) + 1   OWL-ViT's per-patch logit shift and scale (scale > 0)
 * </pre>
 *
 * and a query q (a unit text embedding) scores patch p with the logit {@code (embed . q + shift) * scale}
 * ({@link Outputs#logit}): the query set is not part of the model, so any text can be asked for. Input
 * [B, 1 + P, W] (NWC), output [B, P, {@link Outputs#width}]: box, embed, shift, scale side by side. The layer norm
 * and the class projection start as the CLIP's image-embedding norm and projection (the class token's path), so an
 * untrained head scores patches as {@link PatchSimilarityBaseline} does. Computed in double precision.
 */
public class DetectionHead extends HandLayer {
  public static final String LN_GAIN = "lnG";
  public static final String CLASS_W = "classW";
  public static final String SHIFT_W = "shiftW";
  public static final String SCALE_W = "scaleW";
  public static final String BOX1_W = "box1W";
  public static final String BOX2_W = "box2W";
  public static final String LN_BIAS = "lnB";
  public static final String CLASS_B = "classB";
  public static final String SHIFT_B = "shiftB";
  public static final String SCALE_B = "scaleB";
  public static final String BOX1_B = "box1B";
  public static final String BOX2_B = "box2B";
  /** The start of the logit shift and scale: logits (cos - 0.3) * 10, mostly negative, as a focal loss wants. */
  public static final double INIT_SHIFT = -0.3;
  public static final double INIT_SCALE_PRE_ELU = 9;
  static final double LN_EPS = 1e-5;
  static final double NORM_EPS = 1e-12;

  private int width;
  private int embedDim;
  private int patches;

  /** For JSON deserialisation. */
  public DetectionHead() {
  }

  public DetectionHead(int width, int embedDim, int patches) {
    this.width = width;
    this.embedDim = embedDim;
    this.patches = patches;
  }

  /** Where each value sits in a patch's output row. */
  public record Outputs(int embedDim) {
    public static final int BOX = 0;
    public static final int BOX_VALUES = 4;
    public static final int EMBED = BOX_VALUES;

    public int shift() {
      return EMBED + embedDim;
    }

    public int scale() {
      return shift() + 1;
    }

    public int width() {
      return scale() + 1;
    }

    /** Patch row {@code row}'s logit for unit query {@code q}. */
    public double logit(double[] row, double[] q) {
      return (cosine(row, q) + row[shift()]) * row[scale()];
    }

    /** The class embedding's dot product with {@code q}. */
    public double cosine(double[] row, double[] q) {
      double dot = 0;
      for (int k = 0; k < embedDim; k++) {
        dot += row[EMBED + k] * q[k];
      }
      return dot;
    }

    public double[] box(double[] row) {
      return java.util.Arrays.copyOfRange(row, BOX, BOX + BOX_VALUES);
    }
  }

  public Outputs outputs() {
    return new Outputs(embedDim);
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    double std = 1 / Math.sqrt(width);
    return List.of(
        ParamSpec.gain(LN_GAIN, width),
        ParamSpec.matrix(CLASS_W, std, width, embedDim),
        ParamSpec.matrix(SHIFT_W, std * 0.01, width, 1),
        ParamSpec.matrix(SCALE_W, std * 0.01, width, 1),
        ParamSpec.matrix(BOX1_W, std, width, width),
        ParamSpec.matrix(BOX2_W, std * 0.01, width, Outputs.BOX_VALUES),
        ParamSpec.bias(LN_BIAS, width),
        ParamSpec.bias(CLASS_B, embedDim),
        new ParamSpec(SHIFT_B, new long[] {1}, true, false, INIT_SHIFT, 0),
        new ParamSpec(SCALE_B, new long[] {1}, true, false, INIT_SCALE_PRE_ELU, 0),
        ParamSpec.bias(BOX1_B, width),
        ParamSpec.bias(BOX2_B, Outputs.BOX_VALUES));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(outputs().width(), patches, RNNFormat.NWC);
  }

  /** The grid side: patches = grid * grid. */
  public int grid() {
    int g = (int) Math.round(Math.sqrt(patches));
    if (g * g != patches) {
      throw new IllegalStateException(patches + " patches do not make a square grid");
    }
    return g;
  }

  /** The box logits' bias for patch {@code p}: inverse sigmoid of its centre (cx, cy) and of one patch's size. */
  public static double[] boxBias(int p, int grid) {
    double cx = (p % grid + 0.5) / grid;
    double cy = (p / grid + 0.5) / grid;
    double size = 1.0 / grid;
    return new double[] {logit(cx), logit(cy), logit(size), logit(size)};
  }

  private static double logit(double x) {
    return Math.log(x / (1 - x));
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
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

  // GELU, tanh form (the towers' default): 0.5 a (1 + tanh(c (a + 0.044715 a^3)))
  private static final double GELU_C = Math.sqrt(2 / Math.PI);

  static double gelu(double a) {
    return 0.5 * a * (1 + Math.tanh(GELU_C * (a + 0.044715 * a * a * a)));
  }

  static double geluGradient(double a) {
    double u = GELU_C * (a + 0.044715 * a * a * a);
    double t = Math.tanh(u);
    return 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * a * a);
  }

  private static final class Runtime extends HandRuntime<DetectionHead> {
    // forward values backward needs, [N = B * P] rows
    private double[] xhat;
    private double[] rstd;
    private double[] h;          // [N * W] normalised tokens
    private double[] classNorm;  // [N]
    private double[] embed;      // [N * D] unit
    private double[] scalePre;   // [N]
    private double[] hiddenPre;  // [N * W]
    private double[] hidden;     // [N * W] gelu
    private double[] box;        // [N * 4]
    private int rows;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    private double[] param(String name) {
      return params.get(name).castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private INDArray matrix(String name, long r, long c) {
      return params.get(name).castTo(DataType.DOUBLE).reshape('c', r, c);
    }

    @Override
    protected INDArray forward(INDArray in, LayerWorkspaceMgr mgr) {
      DetectionHead l = layerConf();
      int w = l.getWidth();
      int d = l.getEmbedDim();
      int p = l.getPatches();
      if (in.rank() != 3 || in.size(1) != p + 1 || in.size(2) != w) {
        throw new IllegalArgumentException("DetectionHead '" + l.getLayerName() + "' expects [batch, " + (p + 1) + ", "
            + w + "], got " + java.util.Arrays.toString(in.shape()));
      }
      int b = (int) in.size(0);
      rows = b * p;
      double[] all = in.castTo(DataType.DOUBLE).dup('c').data().asDouble();
      // layer norm of the patch tokens (the class token, position 0, is dropped)
      double[] g = param(LN_GAIN);
      double[] beta = param(LN_BIAS);
      xhat = new double[rows * w];
      rstd = new double[rows];
      double[] hv = new double[rows * w];
      for (int i = 0; i < b; i++) {
        for (int t = 0; t < p; t++) {
          int r = i * p + t;
          int src = (i * (p + 1) + 1 + t) * w;
          double mean = 0;
          for (int k = 0; k < w; k++) {
            mean += all[src + k];
          }
          mean /= w;
          double var = 0;
          for (int k = 0; k < w; k++) {
            double c = all[src + k] - mean;
            var += c * c;
          }
          rstd[r] = 1 / Math.sqrt(var / w + LN_EPS);
          for (int k = 0; k < w; k++) {
            xhat[r * w + k] = (all[src + k] - mean) * rstd[r];
            hv[r * w + k] = xhat[r * w + k] * g[k] + beta[k];
          }
        }
      }
      h = hv;
      INDArray hA = Nd4j.create(hv, new long[] {rows, w}, 'c');                         // [N, W]
      double[] classOut = hA.mmul(matrix(CLASS_W, w, d)).dup('c').data().asDouble();      // [N, D]
      double[] shiftOut = hA.mmul(matrix(SHIFT_W, w, 1)).dup('c').data().asDouble();      // [N]
      double[] scaleOut = hA.mmul(matrix(SCALE_W, w, 1)).dup('c').data().asDouble();      // [N]
      hiddenPre = hA.mmul(matrix(BOX1_W, w, w)).dup('c').data().asDouble();               // [N, W]
      double[] cb = param(CLASS_B);
      double[] b1 = param(BOX1_B);
      double bs = param(SHIFT_B)[0];
      double bk = param(SCALE_B)[0];
      double[] hid = new double[rows * w];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < w; k++) {
          hiddenPre[r * w + k] += b1[k];
          hid[r * w + k] = gelu(hiddenPre[r * w + k]);
        }
      }
      hidden = hid;
      double[] boxOut = Nd4j.create(hid, new long[] {rows, w}, 'c').mmul(matrix(BOX2_W, w, Outputs.BOX_VALUES)).dup('c').data().asDouble();  // [N, 4]
      double[] b2 = param(BOX2_B);
      Outputs o = l.outputs();
      int f = o.width();
      double[] out = new double[rows * f];
      classNorm = new double[rows];
      embed = new double[rows * d];
      scalePre = new double[rows];
      box = new double[rows * Outputs.BOX_VALUES];
      int grid = l.grid();
      for (int r = 0; r < rows; r++) {
        double[] bias = boxBias(r % p, grid);
        for (int k = 0; k < Outputs.BOX_VALUES; k++) {
          double z = boxOut[r * 4 + k] + b2[k] + bias[k];
          box[r * 4 + k] = 1 / (1 + Math.exp(-z));
          out[r * f + Outputs.BOX + k] = box[r * 4 + k];
        }
        double sq = 0;
        for (int k = 0; k < d; k++) {
          double c = classOut[r * d + k] + cb[k];
          classOut[r * d + k] = c;
          sq += c * c;
        }
        classNorm[r] = Math.sqrt(sq + NORM_EPS);
        for (int k = 0; k < d; k++) {
          embed[r * d + k] = classOut[r * d + k] / classNorm[r];
          out[r * f + Outputs.EMBED + k] = embed[r * d + k];
        }
        out[r * f + o.shift()] = shiftOut[r] + bs;
        scalePre[r] = scaleOut[r] + bk;
        out[r * f + o.scale()] = scalePre[r] > 0 ? scalePre[r] + 1 : Math.exp(scalePre[r]);
      }
      INDArray result = output(mgr, b, p, f);
      result.assign(Nd4j.create(out, new long[] {b, p, f}, 'c').castTo(dataType));
      return result;
    }

    @Override
    protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
      DetectionHead l = layerConf();
      int w = l.getWidth();
      int d = l.getEmbedDim();
      int p = l.getPatches();
      int b = rows / p;
      Outputs o = l.outputs();
      int f = o.width();
      double[] eps = epsilon.castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double[] dClass = new double[rows * d];
      double[] dShift = new double[rows];
      double[] dScalePre = new double[rows];
      double[] dBoxPre = new double[rows * 4];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < 4; k++) {
          double s = box[r * 4 + k];
          dBoxPre[r * 4 + k] = eps[r * f + Outputs.BOX + k] * s * (1 - s);
        }
        double proj = 0;
        for (int k = 0; k < d; k++) {
          proj += eps[r * f + Outputs.EMBED + k] * embed[r * d + k];
        }
        for (int k = 0; k < d; k++) {
          dClass[r * d + k] = (eps[r * f + Outputs.EMBED + k] - embed[r * d + k] * proj) / classNorm[r];
        }
        dShift[r] = eps[r * f + o.shift()];
        dScalePre[r] = eps[r * f + o.scale()] * (scalePre[r] > 0 ? 1 : Math.exp(scalePre[r]));
      }
      INDArray dBoxPreA = Nd4j.create(dBoxPre, new long[] {rows, 4}, 'c');
      INDArray dClassA = Nd4j.create(dClass, new long[] {rows, d}, 'c');
      INDArray dShiftA = Nd4j.create(dShift, new long[] {rows, 1}, 'c');
      INDArray dScaleA = Nd4j.create(dScalePre, new long[] {rows, 1}, 'c');
      INDArray hA = Nd4j.create(h, new long[] {rows, w}, 'c');                          // [N, W]
      // box MLP
      set(BOX2_W, Nd4j.create(hidden, new long[] {rows, w}, 'c').transpose().mmul(dBoxPreA));
      set(BOX2_B, dBoxPreA.sum(0));
      double[] dHidden = dBoxPreA.mmul(matrix(BOX2_W, w, 4).transpose()).dup('c').data().asDouble();
      for (int i = 0; i < dHidden.length; i++) {
        dHidden[i] *= geluGradient(hiddenPre[i]);
      }
      INDArray dHiddenPre = Nd4j.create(dHidden, new long[] {rows, w}, 'c');
      set(BOX1_W, hA.transpose().mmul(dHiddenPre));
      set(BOX1_B, dHiddenPre.sum(0));
      set(CLASS_W, hA.transpose().mmul(dClassA));
      set(CLASS_B, dClassA.sum(0));
      set(SHIFT_W, hA.transpose().mmul(dShiftA));
      set(SHIFT_B, dShiftA.sum(0));
      set(SCALE_W, hA.transpose().mmul(dScaleA));
      set(SCALE_B, dScaleA.sum(0));
      INDArray dH = dHiddenPre.mmul(matrix(BOX1_W, w, w).transpose())
          .addi(dClassA.mmul(matrix(CLASS_W, w, d).transpose()))
          .addi(dShiftA.mmul(matrix(SHIFT_W, w, 1).transpose()))
          .addi(dScaleA.mmul(matrix(SCALE_W, w, 1).transpose()));                      // [N, W]
      double[] dh = dH.dup('c').data().asDouble();
      double[] g = param(LN_GAIN);
      double[] dGain = new double[w];
      double[] dBeta = new double[w];
      double[] dx = new double[b * (p + 1) * w];
      double[] dxhat = new double[w];
      for (int r = 0; r < rows; r++) {
        double mean1 = 0;
        double mean2 = 0;
        for (int k = 0; k < w; k++) {
          dGain[k] += dh[r * w + k] * xhat[r * w + k];
          dBeta[k] += dh[r * w + k];
          dxhat[k] = dh[r * w + k] * g[k];
          mean1 += dxhat[k];
          mean2 += dxhat[k] * xhat[r * w + k];
        }
        mean1 /= w;
        mean2 /= w;
        int dst = ((r / p) * (p + 1) + 1 + r % p) * w;
        for (int k = 0; k < w; k++) {
          dx[dst + k] = rstd[r] * (dxhat[k] - mean1 - xhat[r * w + k] * mean2);
        }
      }
      set(LN_GAIN, Nd4j.create(dGain));
      set(LN_BIAS, Nd4j.create(dBeta));
      INDArray grad = inputGradient(mgr, b, p + 1, w);
      grad.assign(Nd4j.create(dx, new long[] {b, p + 1, w}, 'c').castTo(dataType));
      return grad;
    }

    private void set(String name, INDArray value) {
      INDArray target = gradients.get(name);
      target.assign(value.castTo(dataType).reshape('c', target.shape()));
    }
  }
}
