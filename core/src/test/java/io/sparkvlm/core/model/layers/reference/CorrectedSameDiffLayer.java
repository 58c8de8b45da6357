package io.sparkvlm.core.model.layers.reference;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Base of spark-vlm's SameDiff layers: subclasses define the layer body; the output passes through
 * {@link SameDiffSeam#correct} so gradients are right under DL4J 1.0.0-M2.1.
 *
 * <p>Weight decay (the network's regularization) applies only to the parameters a layer names in
 * {@link #decayedParams}: weight matrices, never norm gains, biases, embeddings or positions (as the issue and
 * the CLIP/LLaVA recipes ask; DL4J's default would decay every "weight" parameter, norms included).
 */
public abstract class CorrectedSameDiffLayer extends SameDiffLayer implements io.sparkvlm.core.model.layers.Freezable {

  /** Set for layers in a frozen tower: see {@link #exemptFromWeightDecay}. */
  private boolean decayExempt;

  protected CorrectedSameDiffLayer() {
  }

  @Override
  public CorrectedSameDiffLayer exemptFromWeightDecay() {
    this.decayExempt = true;
    return this;
  }

  public boolean isDecayExempt() {
    return decayExempt;
  }

  public void setDecayExempt(boolean decayExempt) {
    this.decayExempt = decayExempt;
  }

  @Override
  public final SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> params,
      SDVariable mask) {
    return SameDiffSeam.correct(sameDiff, defineBody(sameDiff, layerInput, params, mask));
  }

  /** The parameters weight decay applies to. */
  protected abstract Set<String> decayedParams();

  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    if (decayExempt || !decayedParams().contains(paramName)) {
      return List.of();
    }
    List<Regularization> r = super.getRegularizationByParam(paramName);
    return r == null ? List.of() : r;
  }

  /** The layer's computation. */
  protected abstract SDVariable defineBody(SameDiff sameDiff, SDVariable layerInput,
      Map<String, SDVariable> params, SDVariable mask);
}
