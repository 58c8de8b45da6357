/* The SameDiff implementation this layer had before the hand-written one (test reference for parity). */
package io.sparkvlm.core.model.layers.reference;

import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.VisionFeatures;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * CLIP's symmetric InfoNCE loss (OpenCLIP's ClipLoss) as a DL4J output layer with the learnable logit scale as its
 * parameter. Input: image and text embeddings side by side, [batch, 2 * dim] (a MergeVertex of the two
 * projections). With u, v the L2-normalised halves and s the logit scale:
 *
 * <pre>
 *   logits = exp(s) * u v^T                        [batch, batch]; the i-th image matches the i-th text
 *   loss   = (CE(logits, i) + CE(logits^T, i)) / 2 averaged over i
 * </pre>
 *
 * s starts at ln(1/0.07); {@link #clampLogitScale} keeps it in [0, ln 100] after each step, as OpenCLIP does.
 * The layer returns the per-batch sum (DL4J divides by the batch size); log-sum-exp is written out (max-shifted)
 * because SameDiff's own fails in backprop. Labels are required by DL4J but not used: the pairing is the
 * diagonal. The output activations are the input embeddings.
 */
public class SameDiffClipLoss extends SameDiffOutputLayer {
  public static final String LOGIT_SCALE = "logitScale";
  public static final double INIT_LOGIT_SCALE = Math.log(1 / 0.07);
  public static final double MAX_LOGIT_SCALE = Math.log(100);

  private int dim;

  /** For JSON deserialisation. */
  public SameDiffClipLoss() {
  }

  public SameDiffClipLoss(int dim) {
    this.dim = dim;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, SDVariable labels, Map<String, SDVariable> p) {
    SDVariable u = normalise(sd, x.get(SDIndex.all(), SDIndex.interval(0, dim)));          // [B, D]
    SDVariable v = normalise(sd, x.get(SDIndex.all(), SDIndex.interval(dim, 2 * dim)));    // [B, D]
    SDVariable scale = sd.math().exp(p.get(LOGIT_SCALE));                                  // [1, 1]
    SDVariable logits = sd.mmul(u, v, false, true, false).mul(scale);                      // [B, B]
    SDVariable diag = u.mul(v).sum(true, 1).mul(scale);                                    // [B, 1]
    SDVariable imageToText = logSumExp(sd, logits, 1).sub(diag);                           // [B, 1]
    SDVariable textToImage = logSumExp(sd, logits.permute(1, 0), 1).sub(diag);             // [B, 1]
    return imageToText.add(textToImage).mul(0.5).sum();                                    // scalar
  }

  private static SDVariable normalise(SameDiff sd, SDVariable e) {
    return e.div(sd.math().sqrt(e.mul(e).sum(true, 1).add(1e-12)));
  }

  /** log(sum(exp(a), dim)) with the max subtracted first, kept as a column. */
  private static SDVariable logSumExp(SameDiff sd, SDVariable a, int dimension) {
    SDVariable max = a.max(true, dimension);
    return sd.math().log(sd.math().exp(a.sub(max)).sum(true, dimension)).add(max);
  }

  /** OpenCLIP's clamp after an optimiser step: the logit scale stays within [0, ln 100]. */
  public static void clampLogitScale(ComputationGraph graph, String layerName) {
    INDArray s = graph.getLayer(layerName).getParam(LOGIT_SCALE);
    double value = s.getDouble(0);
    s.assign(Math.max(0, Math.min(MAX_LOGIT_SCALE, value)));
  }

  /** No weight decay on the logit scale. */
  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    return List.of();
  }

  @Override
  public String activationsVertexName() {
    return "input";
  }

  @Override
  public boolean labelsRequired() {
    return true;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(LOGIT_SCALE, 1, 1);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get(LOGIT_SCALE).assign(INIT_LOGIT_SCALE);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(2L * dim);
  }

  public int getDim() {
    return dim;
  }

  public void setDim(int dim) {
    this.dim = dim;
  }
}
