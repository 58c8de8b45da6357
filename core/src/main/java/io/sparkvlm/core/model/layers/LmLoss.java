package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.CrossEntropy;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import io.sparkvlm.core.model.layers.kernels.Native;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The language-model head and its loss, as a DL4J output layer: final layer norm, projection to the vocabulary,
 * and next-token cross-entropy averaged over the tokens that should be learned (caption tokens, assistant turns),
 * as LLaVA's loss with IGNORE_INDEX = -100 does.
 *
 * <pre>
 *   hidden [B, T, W] -> ln_final -> logits = x W_vocab        [B, T, V]
 *   labels [B, 2, T]: channel TARGET = the next token's id, channel WEIGHT = LEARN (1) or IGNORE (0)
 *   loss = sum(weight * (logsumexp(logits) - logits[target])) / sum(weight)
 * </pre>
 *
 * The target and its weight travel together in the labels (DL4J gives output layers no label mask in a
 * ComputationGraph fed MultiDataSets). The activations are the logits [B, T, V], for generation.
 */
public class LmLoss extends HandLayer {
  public static final String LN_GAIN = "lnG";
  public static final String LN_BIAS = "lnB";
  public static final String VOCAB = "vocab";
  /** Label channels. */
  public static final int TARGET = 0;
  public static final int WEIGHT = 1;
  /** Label weights. */
  public static final double LEARN = 1.0;
  public static final double IGNORE = 0.0;
  /** Added to the learned-token count, as the SameDiff loss did (a batch with nothing to learn has loss 0). */
  static final double COUNT_EPS = 1e-9;

  private int width;
  private int vocabSize;
  private int contextLength;
  private double normEps = LayerNorm.ND4J_EPS;

  /** For JSON deserialisation. */
  public LmLoss() {
  }

  public LmLoss(int width, int vocabSize, int contextLength) {
    this.width = width;
    this.vocabSize = vocabSize;
    this.contextLength = contextLength;
    this.normEps = LayerNorm.EPS;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    return List.of(
        ParamSpec.gain(LN_GAIN, width),
        ParamSpec.matrix(VOCAB, 1 / Math.sqrt(width), width, vocabSize),
        ParamSpec.bias(LN_BIAS, width));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(vocabSize, contextLength, RNNFormat.NWC);
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }

  public int getVocabSize() {
    return vocabSize;
  }

  public void setVocabSize(int vocabSize) {
    this.vocabSize = vocabSize;
  }

  public int getContextLength() {
    return contextLength;
  }

  public void setContextLength(int contextLength) {
    this.contextLength = contextLength;
  }

  public double getNormEps() {
    return normEps;
  }

  public void setNormEps(double normEps) {
    this.normEps = normEps;
  }

  private static final class Runtime extends HandOutputRuntime<LmLoss> {
    private INDArray inputGradient;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    /** ln_final then the vocabulary product: logits [B*T, V] into {@code logits}. */
    private void logits(INDArray x, INDArray logits) {
      LmLoss l = layerConf();
      int rows = (int) (x.size(0) * x.size(1));
      int w = l.getWidth();
      if (x.rank() != 3 || x.size(2) != w || x.size(1) != l.getContextLength()) {
        throw new IllegalArgumentException("LmLoss expects [batch, " + l.getContextLength() + ", " + w + "], got "
            + java.util.Arrays.toString(x.shape()));
      }
      Arena tmp = Arena.temporaries();
      Buf normed = tmp.buf("normed", dataType, (long) rows * w);
      LayerNorm.forward(tmp.read("x", x), HandRows.param(params.get(LN_GAIN), LN_GAIN),
          HandRows.param(params.get(LN_BIAS), LN_BIAS), normed, cache.buf("xhat", dataType, (long) rows * w),
          cache.buf("rstd", dataType, rows), rows, w, l.getNormEps());
      INDArray normedn = cache.array("normed", dataType, rows, w);
      Native.write(normed, normedn);
      Gemm.mm(normedn, false, params.get(VOCAB), false, logits);
    }

    @Override
    protected INDArray forward(INDArray x, LayerWorkspaceMgr mgr) {
      INDArray out = output(mgr, x.size(0), x.size(1), layerConf().getVocabSize());
      logits(x, out.reshape('c', x.size(0) * x.size(1), layerConf().getVocabSize()));
      return out;
    }

    @Override
    protected double loss(INDArray x, INDArray labels, boolean withGradients, LayerWorkspaceMgr mgr) {
      LmLoss l = layerConf();
      int b = (int) x.size(0);
      int t = (int) x.size(1);
      int rows = b * t;
      int v = l.getVocabSize();
      int w = l.getWidth();
      if (labels.rank() != 3 || labels.size(0) != b || labels.size(1) != 2 || labels.size(2) != t) {
        throw new IllegalArgumentException("LmLoss labels must be [" + b + ", 2, " + t + "] (target, weight), got "
            + java.util.Arrays.toString(labels.shape()));
      }
      Arena tmp = Arena.temporaries();
      INDArray logits = tmp.array("logits", dataType, rows, v);
      logits(x, logits);
      Buf lab = tmp.read("labels", labels);
      int[] target = new int[rows];
      double[] weight = new double[rows];
      double learned = 0;
      for (int i = 0; i < b; i++) {
        for (int p = 0; p < t; p++) {
          int r = i * t + p;
          weight[r] = lab.get((i * 2 + LmLoss.WEIGHT) * t + p);
          target[r] = (int) lab.get((i * 2 + LmLoss.TARGET) * t + p);
          if (weight[r] != 0 && (target[r] < 0 || target[r] >= v)) {
            throw new IllegalArgumentException("LmLoss: target id " + target[r] + " at batch row " + i + ", position "
                + p + " is outside the vocabulary of " + v);
          }
          learned += weight[r];
        }
      }
      // DL4J divides the score and the gradients by the batch size: the loss returned is B x the mean
      double factor = b / (learned + COUNT_EPS);
      Buf z = tmp.read("logits", logits);
      double loss = factor * CrossEntropy.apply(z, target, weight, rows, v, withGradients, factor);
      if (withGradients) {
        Native.write(z, logits);                                                          // dlogits
        INDArray normedn = cache.array("normed", dataType, rows, w);
        Gemm.mm(normedn, true, logits, false, gradients.get(VOCAB));
        INDArray dNormed = tmp.array("dnormed", dataType, rows, w);
        Gemm.mm(logits, false, params.get(VOCAB), true, dNormed);
        Buf dx = tmp.buf("dx", dataType, (long) rows * w);
        Buf dGain = tmp.buf("dGain", dataType, w);
        Buf dBias = tmp.buf("dBias", dataType, w);
        LayerNorm.backward(tmp.read("dnormed", dNormed), cache.buf("xhat", dataType, (long) rows * w),
            cache.buf("rstd", dataType, rows), HandRows.param(params.get(LN_GAIN), LN_GAIN), dx, dGain, dBias, rows,
            w, false);
        HandRows.setGradient(gradients.get(LN_GAIN), dGain);
        HandRows.setGradient(gradients.get(LN_BIAS), dBias);
        inputGradient = inputGradient(mgr, b, t, w);
        Native.write(dx, inputGradient);
      }
      return loss;
    }

    @Override
    protected INDArray inputGradientOfLoss() {
      return inputGradient;
    }
  }
}
