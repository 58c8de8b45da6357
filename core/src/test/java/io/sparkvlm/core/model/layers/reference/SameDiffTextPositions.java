/* The SameDiff implementation this layer had before the hand-written one (test reference for parity). */
package io.sparkvlm.core.model.layers.reference;

import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.VisionFeatures;

import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Learned positions added to token embeddings (the second half of OpenCLIP's text stem, after {@link TokenTable}):
 * [batch, width, context] in and out.
 */
public class SameDiffTextPositions extends CorrectedSameDiffLayer {
  public static final String POSITIONS = "pos";

  private int contextLength;
  private int width;

  /** For JSON deserialisation. */
  public SameDiffTextPositions() {
  }

  public SameDiffTextPositions(int contextLength, int width) {
    this.contextLength = contextLength;
    this.width = width;
  }

  @Override
  protected SDVariable defineBody(SameDiff sd, SDVariable tokens, Map<String, SDVariable> p, SDVariable mask) {
    return tokens.add(p.get(POSITIONS).permute(1, 0));                                   // [B, W, T] + [W, T]
  }

  @Override
  protected Set<String> decayedParams() {
    return Set.of(); // positions: no decay
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(POSITIONS, contextLength, width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get(POSITIONS).assign(0.0);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, contextLength);
  }

  public int getContextLength() {
    return contextLength;
  }

  public void setContextLength(int contextLength) {
    this.contextLength = contextLength;
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }
}
