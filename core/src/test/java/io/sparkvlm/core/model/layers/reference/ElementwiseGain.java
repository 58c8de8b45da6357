package io.sparkvlm.core.model.layers.reference;

import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = x * g with a learnable per-feature gain g, initialised to {@code init} (LayerScale in transformer blocks).
 * Input and output: feed-forward [batch, size].
 */
public class ElementwiseGain extends CorrectedSameDiffLayer {
  public static final String GAIN = "g";

  private int size;
  private double init;

  /** For JSON deserialisation. */
  public ElementwiseGain() {
  }

  public ElementwiseGain(int size, double init) {
    this.size = size;
    this.init = init;
  }

  public int getSize() {
    return size;
  }

  public void setSize(int size) {
    this.size = size;
  }

  public double getInit() {
    return init;
  }

  public void setInit(double init) {
    this.init = init;
  }

  @Override
  protected SDVariable defineBody(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
    return x.mul(params.get(GAIN)); // [batch, size] * [1, size]
  }

  @Override
  protected Set<String> decayedParams() {
    return Set.of(); // a gain, like a norm's: no decay
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(GAIN, 1, size);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get(GAIN).assign(init);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(size);
  }
}
