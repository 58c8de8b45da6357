package io.sparkvlm.core.model.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Base of spark-vlm's SameDiff layers: subclasses define the layer body; the output passes through
 * {@link SameDiffSeam#correct} so gradients are right under DL4J 1.0.0-M2.1.
 */
public abstract class CorrectedSameDiffLayer extends SameDiffLayer {

  protected CorrectedSameDiffLayer() {
  }

  @Override
  public final SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> params,
      SDVariable mask) {
    return SameDiffSeam.correct(sameDiff, defineBody(sameDiff, layerInput, params, mask));
  }

  /** The layer's computation. */
  protected abstract SDVariable defineBody(SameDiff sameDiff, SDVariable layerInput,
      Map<String, SDVariable> params, SDVariable mask);
}
