package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Gelu;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Flamingo's gated cross-attention dense block ({@code GatedCrossAttentionBlock}), inserted in front of a frozen LM
 * block. Its input is {@link PrefixConcat}'s [batch, N + T, width]: the N visual tokens v, then the LM's hidden
 * text states x; its output is the text states alone, [batch, T, width]:
 *
 * <pre>
 *   h = x + tanh(attnGate) * CrossAttention(q = LN1(x), keys and values = v)    multi-head, no mask on v
 *   y = h + tanh(ffGate)   * FeedForward(LN2(h))                                 Linear - GELU - Linear, no biases
 * </pre>
 *
 * Both gates start at 0, so an untrained block passes the text through unchanged and the model starts as the LM
 * (Flamingo's initialisation). As in Flamingo the visual tokens are not normalised here (the resampler's are), and
 * the projections have no biases. Every text position sees every visual token (one image in front of the text).
 */
public class GatedCrossAttention extends HandLayer {
  // parameter names must not contain '_': DL4J's updater splits "layer_param" keys at the last underscore
  public static final String LN1_GAIN = "ln1G";
  public static final String LN1_BIAS = "ln1B";
  public static final String Q_W = "qW";
  public static final String KV_W = "kvW";
  public static final String OUT_W = "attnOutW";
  public static final String ATTN_GATE = "attnGate";
  public static final String LN2_GAIN = "ln2G";
  public static final String LN2_BIAS = "ln2B";
  public static final String FC_W = "fcW";
  public static final String PROJ_W = "projW";
  public static final String FF_GATE = "ffGate";

  private int width;
  private int heads;
  private int mlpRatio;
  private int visualTokens;
  private int textTokens;
  private Gelu gelu = Gelu.QUICK;

  /** For JSON deserialisation. */
  public GatedCrossAttention() {
  }

  public GatedCrossAttention(int width, int heads, int mlpRatio, int visualTokens, int textTokens, Gelu gelu) {
    if (width % heads != 0) {
      throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
    }
    this.width = width;
    this.heads = heads;
    this.mlpRatio = mlpRatio;
    this.visualTokens = visualTokens;
    this.textTokens = textTokens;
    this.gelu = gelu;
  }

  /** Parameters of one block of {@code width} with an MLP of {@code mlpRatio * width}. */
  public static long params(long width, long mlpRatio) {
    return 4 * width + 4 * width * width + 2 * mlpRatio * width * width + 2;
  }

  /** Forward FLOPs (matrix products) of one sample: T text queries over N visual tokens. */
  public static long forwardFlops(long width, long mlpRatio, long visualTokens, long textTokens) {
    return 2 * textTokens * width * width            // queries
        + 2 * 2 * visualTokens * width * width       // keys and values
        + 2 * 2 * textTokens * visualTokens * width  // scores and the weighted sum
        + 2 * textTokens * width * width             // out-projection
        + 2 * 2 * textTokens * width * mlpRatio * width;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    long w = width;
    long hidden = (long) mlpRatio * width;
    return List.of(
        ParamSpec.gain(LN1_GAIN, w),
        ParamSpec.matrix(Q_W, 1 / Math.sqrt(w), w, w),
        ParamSpec.matrix(KV_W, 1 / Math.sqrt(w), w, 2 * w),
        ParamSpec.matrix(OUT_W, 1 / Math.sqrt(w), w, w),
        ParamSpec.constant(ATTN_GATE, 0, 1),
        ParamSpec.gain(LN2_GAIN, w),
        ParamSpec.matrix(FC_W, 1 / Math.sqrt(w), w, hidden),
        ParamSpec.matrix(PROJ_W, 1 / Math.sqrt(hidden), hidden, w),
        ParamSpec.constant(FF_GATE, 0, 1),
        ParamSpec.bias(LN1_BIAS, w),
        ParamSpec.bias(LN2_BIAS, w));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new GatedCrossAttentionRuntime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, textTokens, RNNFormat.NWC);
  }

  double normEps() {
    return LayerNorm.EPS;
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

  public int getVisualTokens() {
    return visualTokens;
  }

  public void setVisualTokens(int visualTokens) {
    this.visualTokens = visualTokens;
  }

  public int getTextTokens() {
    return textTokens;
  }

  public void setTextTokens(int textTokens) {
    this.textTokens = textTokens;
  }

  public Gelu getGelu() {
    return gelu;
  }

  public void setGelu(Gelu gelu) {
    this.gelu = gelu;
  }
}
