package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The end of a tower: one token picked, final layer norm, projection without bias: [batch, time, width] in,
 * [batch, embed] out. The image tower picks its class token (position 0), or pools the channel-wise maximum of
 * its normed patch tokens ({@link Pick#PATCH_MAX}); the text tower the end-of-text token, which is the last real
 * token of each padded caption (found from DL4J's recurrent mask; the last position when there is none); BLIP's
 * matching head the token at a fixed position.
 */
public class TokenPool extends HandLayer {
  public static final String LN_GAIN = "lnG";
  public static final String LN_BIAS = "lnB";
  public static final String PROJECTION = "proj";

  /**
   * What represents the sequence: the first token, the last real one, the one at {@code position}, or
   * ({@code PATCH_MAX}) every token but the first normed and then its maximum per channel: an image tower's patches
   * without its class token, OpenCLIP's order (ln_post on every token, pool, projection).
   */
  public enum Pick { FIRST, LAST, AT, PATCH_MAX }

  private int width;
  private int embedDim;
  private int timeSteps;
  private Pick pick;
  private int position;
  private double normEps = LayerNorm.ND4J_EPS;

  public TokenPool() {
  }

  /** Picks the token at {@code position} (the first text token after an image prefix, BLIP's [ENC]). */
  public static TokenPool at(int width, int embedDim, int timeSteps, int position) {
    TokenPool p = new TokenPool(width, embedDim, timeSteps, Pick.AT);
    p.position = position;
    return p;
  }

  public TokenPool(int width, int embedDim, int timeSteps, Pick pick) {
    this.width = width;
    this.embedDim = embedDim;
    this.timeSteps = timeSteps;
    this.pick = pick;
    this.normEps = LayerNorm.EPS;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    return List.of(
        ParamSpec.gain(LN_GAIN, width),
        ParamSpec.matrix(PROJECTION, 1 / Math.sqrt(width), width, embedDim),
        ParamSpec.bias(LN_BIAS, width));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new TokenPoolRuntime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(embedDim);
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

  public int getTimeSteps() {
    return timeSteps;
  }

  public void setTimeSteps(int timeSteps) {
    this.timeSteps = timeSteps;
  }

  public Pick getPick() {
    return pick;
  }

  public void setPick(Pick pick) {
    this.pick = pick;
  }

  public int getPosition() {
    return position;
  }

  public void setPosition(int position) {
    this.position = position;
  }

  public double getNormEps() {
    return normEps;
  }

  public void setNormEps(double normEps) {
    this.normEps = normEps;
  }
}
