package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Gelu;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A pre-LN transformer block in OpenCLIP's parameterisation (attention in-projection and out-projection with biases,
 * MLP with GELU), on token sequences [batch, time, width]:
 *
 * <pre>
 *   h = x + Attention(LN1(x))      multi-head, scaled dot product; causal and/or padding masked
 *   y = h + MLP(LN2(h))            Linear(width, ratio*width) - GELU - Linear(ratio*width, width)
 * </pre>
 *
 * The padding mask is DL4J's recurrent mask [batch, time] (1 = token): masked keys get no attention. With
 * {@code causal}, position t attends to positions <= t only. Weights multiply from the right ({@code x W}, W
 * [in, out]); q, k and v are the three column blocks of the in-projection, each head after head.
 */
public class TransformerBlock extends HandLayer {
  // parameter names must not contain '_': DL4J's updater splits "layer_param" keys at the last underscore
  public static final String LN1_GAIN = "ln1G";
  public static final String LN1_BIAS = "ln1B";
  public static final String IN_W = "attnInW";
  public static final String IN_B = "attnInB";
  public static final String OUT_W = "attnOutW";
  public static final String OUT_B = "attnOutB";
  public static final String LN2_GAIN = "ln2G";
  public static final String LN2_BIAS = "ln2B";
  public static final String FC_W = "fcW";
  public static final String FC_B = "fcB";
  public static final String PROJ_W = "projW";
  public static final String PROJ_B = "projB";

  private int width;
  private int heads;
  private int mlpRatio;
  private int timeSteps;
  private boolean causal;
  /** Read from JSON; a configuration written before the field existed computed QuickGELU. */
  private Gelu gelu = Gelu.QUICK;
  /** Read from JSON; a configuration written before the field existed used ND4J's layer norm (no epsilon). */
  private double normEps = LayerNorm.ND4J_EPS;

  /** For JSON deserialisation. */
  public TransformerBlock() {
  }

  /** A block with QuickGELU. */
  public TransformerBlock(int width, int heads, int mlpRatio, int timeSteps, boolean causal) {
    this(width, heads, mlpRatio, timeSteps, causal, Gelu.QUICK);
  }

  public TransformerBlock(int width, int heads, int mlpRatio, int timeSteps, boolean causal, Gelu gelu) {
    if (width % heads != 0) {
      throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
    }
    this.width = width;
    this.heads = heads;
    this.mlpRatio = mlpRatio;
    this.timeSteps = timeSteps;
    this.causal = causal;
    this.gelu = gelu;
    this.normEps = LayerNorm.EPS;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    long w = width;
    long hidden = (long) mlpRatio * width;
    return List.of(
        ParamSpec.gain(LN1_GAIN, w),
        ParamSpec.matrix(IN_W, 1 / Math.sqrt(w), w, 3 * w),
        ParamSpec.matrix(OUT_W, 1 / Math.sqrt(w), w, w),
        ParamSpec.gain(LN2_GAIN, w),
        ParamSpec.matrix(FC_W, 1 / Math.sqrt(w), w, hidden),
        ParamSpec.matrix(PROJ_W, 1 / Math.sqrt(hidden), hidden, w),
        ParamSpec.bias(LN1_BIAS, w),
        ParamSpec.bias(IN_B, 1, 3 * w),
        ParamSpec.bias(OUT_B, 1, w),
        ParamSpec.bias(LN2_BIAS, w),
        ParamSpec.bias(FC_B, 1, hidden),
        ParamSpec.bias(PROJ_B, 1, w));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new TransformerBlockRuntime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, timeSteps, RNNFormat.NWC);
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }

  public int getHeads() {
    return heads;
  }

  public void setHeads(int heads) {
    this.heads = heads;
  }

  public int getMlpRatio() {
    return mlpRatio;
  }

  public void setMlpRatio(int mlpRatio) {
    this.mlpRatio = mlpRatio;
  }

  public int getTimeSteps() {
    return timeSteps;
  }

  public void setTimeSteps(int timeSteps) {
    this.timeSteps = timeSteps;
  }

  public boolean isCausal() {
    return causal;
  }

  public void setCausal(boolean causal) {
    this.causal = causal;
  }

  public Gelu getGelu() {
    return gelu;
  }

  public void setGelu(Gelu gelu) {
    this.gelu = gelu;
  }

  public double getNormEps() {
    return normEps;
  }

  public void setNormEps(double normEps) {
    this.normEps = normEps;
  }
}
