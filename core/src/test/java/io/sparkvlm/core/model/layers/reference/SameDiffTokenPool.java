/* The SameDiff implementation this layer had before the hand-written one (test reference for parity). */
package io.sparkvlm.core.model.layers.reference;

import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.VisionFeatures;

import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The end of a tower: final layer norm, one token picked, projection without bias: [batch, width, time] in,
 * [batch, embed] out. The image tower picks its class token (position 0); the text tower the end-of-text token,
 * which is the last real token of each padded caption (found from DL4J's recurrent mask).
 */
public class SameDiffTokenPool extends CorrectedSameDiffLayer {
  public static final String LN_GAIN = "lnG";
  public static final String LN_BIAS = "lnB";
  public static final String PROJECTION = "proj";

  /** Which token represents the sequence: the first, the last real one, or the one at {@code position}. */
  public enum Pick { FIRST, LAST, AT }

  private int width;
  private int embedDim;
  private int timeSteps;
  private Pick pick;
  private int position;

  public SameDiffTokenPool() {
  }

  /** Picks the token at {@code position} (the first text token after an image prefix, BLIP's [ENC]). */
  public static SameDiffTokenPool at(int width, int embedDim, int timeSteps, int position) {
    SameDiffTokenPool p = new SameDiffTokenPool(width, embedDim, timeSteps, Pick.AT);
    p.position = position;
    return p;
  }

  public SameDiffTokenPool(int width, int embedDim, int timeSteps, Pick pick) {
    this.width = width;
    this.embedDim = embedDim;
    this.timeSteps = timeSteps;
    this.pick = pick;
  }

  @Override
  protected SDVariable defineBody(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    SDVariable normed = sd.nn().layerNorm(x, p.get(LN_GAIN), p.get(LN_BIAS), true, 1);      // [B, W, T]
    SDVariable token;
    if (pick == Pick.FIRST || pick == Pick.AT) {
      int at = pick == Pick.FIRST ? 0 : position;
      token = normed.get(SDIndex.all(), SDIndex.all(), SDIndex.point(at));                 // [B, W]
    } else {
      // weight 1 at the last position whose mask is 1: mask - mask shifted left (padded with 0)
      SDVariable m = mask;                                                                  // [B, T]
      SDVariable next = sd.concat(1, m.get(SDIndex.all(), SDIndex.interval(1, timeSteps)),
          m.get(SDIndex.all(), SDIndex.interval(0, 1)).mul(0.0));                           // [B, T]
      SDVariable weight = m.sub(next).reshape(-1, 1, timeSteps);                            // [B, 1, T]
      token = normed.mul(weight).sum(2);                                                    // [B, W]
    }
    return token.mmul(p.get(PROJECTION));                                                   // [B, E]
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
      int minibatchSize) {
    return new Pair<>(null, null); // one vector per sequence: no mask beyond this layer
  }

  @Override
  protected Set<String> decayedParams() {
    return Set.of(PROJECTION);
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(LN_GAIN, width);
    params.addBiasParam(LN_BIAS, width);
    params.addWeightParam(PROJECTION, width, embedDim);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get(LN_GAIN).assign(1.0);
    params.get(LN_BIAS).assign(0.0);
    params.get(PROJECTION).assign(0.0);
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
}
