package io.sparkvlm.core.model.layers.reference;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The fix for DL4J 1.0.0-M2.1 doubling every gradient that leaves a SameDiffLayer or SameDiffVertex.
 *
 * <p>What happens: DL4J feeds the gradient arriving from the next layer (epsilon) into the layer's SameDiff graph
 * through an {@code ExternalErrorsFunction} attached to the layer's output. That op's {@code doDiff} registers
 * epsilon as the output's gradient ({@code setGradientForVariableName}) and also returns it;
 * {@code DifferentialFunction.diff} then finds the output already has a gradient and adds the returned one to it:
 * the output's gradient becomes epsilon + epsilon. Everything upstream (parameter gradients and the gradient passed
 * on to the previous layer) is therefore exactly twice the truth. SameDiffOutputLayer does not use external errors
 * and is unaffected. Adam's scale invariance hides it; SGD, clipping and weight decay do not.
 *
 * <p>The fix: the layer outputs {@code 0.5 * y + 0.5 * stopGradient(y)}: the same values, half the gradient into
 * the layer's graph, which cancels the doubling exactly. {@code SameDiffSeamTest} shows the doubling on an
 * uncorrected layer (so a DL4J upgrade that fixes it will be noticed) and a passing gradient check with the fix.
 */
public final class SameDiffSeam {
  private SameDiffSeam() {}

  public static SDVariable correct(SameDiff sd, SDVariable layerOutput) {
    SDVariable half = layerOutput.mul(0.5);
    SDVariable frozen = new StopGradient(sd, layerOutput).outputVariable();
    SDVariable frozenHalf = frozen.mul(0.5);
    return half.add(frozenHalf);
  }
}
