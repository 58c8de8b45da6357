/* The SameDiff implementation this layer had before the hand-written one (test reference for parity). */
package io.sparkvlm.core.model.layers.reference;

import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.VisionFeatures;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The language-model head and its loss, as a DL4J output layer: final layer norm, projection to the vocabulary,
 * and next-token cross-entropy averaged over the tokens that should be learned (caption tokens, assistant turns),
 * as LLaVA's loss with IGNORE_INDEX = -100 does.
 *
 * <pre>
 *   hidden [B, W, T] -> ln_final -> logits = x W_vocab        [B, T, V]
 *   labels [B, 2, T]: channel TARGET = the next token's id, channel WEIGHT = LEARN (1) or IGNORE (0)
 *   loss = B * sum(weight * (logsumexp(logits) - logits[target])) / sum(weight)
 * </pre>
 *
 * DL4J divides an output layer's score by the batch size, hence the factor B: the reported loss is the mean over
 * learned tokens. The target and its weight travel together in the labels because SameDiff output layers get no
 * label mask. The activations ({@link #activationsVertexName}) are the logits [B, T, V], for generation.
 */
public class SameDiffLmLoss extends SameDiffOutputLayer implements Freezable {
  public static final String LN_GAIN = "lnG";
  public static final String LN_BIAS = "lnB";
  public static final String VOCAB = "vocab";
  /** Label channels. */
  public static final int TARGET = 0;
  public static final int WEIGHT = 1;
  /** Label weights. */
  public static final double LEARN = 1.0;
  public static final double IGNORE = 0.0;
  static final String LOGITS = "logits";

  private int width;
  private int vocabSize;
  private int contextLength;
  private boolean decayExempt;

  /** For JSON deserialisation. */
  public SameDiffLmLoss() {
  }

  public SameDiffLmLoss(int width, int vocabSize, int contextLength) {
    this.width = width;
    this.vocabSize = vocabSize;
    this.contextLength = contextLength;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, SDVariable labels, Map<String, SDVariable> p) {
    SDVariable normed = sd.nn().layerNorm(x, p.get(LN_GAIN), p.get(LN_BIAS), true, 1);     // [B, W, T]
    SDVariable tokens = normed.permute(0, 2, 1).reshape(-1, width);                        // [B*T, W]
    SDVariable flatLogits = tokens.mmul(p.get(VOCAB));                                      // [B*T, V]
    sd.identity(LOGITS, flatLogits.reshape(-1, contextLength, vocabSize));                 // [B, T, V]
    SDVariable target = labels.get(SDIndex.all(), SDIndex.point(TARGET), SDIndex.all())
        .reshape(-1).castTo(DataType.INT64);                                                // [B*T]
    SDVariable weight = labels.get(SDIndex.all(), SDIndex.point(WEIGHT), SDIndex.all())
        .reshape(-1, 1);                                                                    // [B*T, 1]
    SDVariable oneHot = sd.oneHot(null, target, vocabSize, -1, 1.0, 0.0, flatLogits.dataType()); // [B*T, V]
    SDVariable max = flatLogits.max(true, 1);                                               // [B*T, 1]
    SDVariable logSumExp = sd.math().log(sd.math().exp(flatLogits.sub(max)).sum(true, 1)).add(max);
    SDVariable picked = flatLogits.mul(oneHot).sum(true, 1);                                // [B*T, 1]
    SDVariable nll = logSumExp.sub(picked);                                                 // [B*T, 1]
    SDVariable batch = weight.mul(0.0).add(1.0).sum().div(contextLength);                   // B, a constant
    SDVariable learned = weight.sum().add(1e-9);                                            // tokens learned
    SDVariable loss = nll.mul(weight).sum().mul(batch).div(learned);                        // scalar
    // two graph outputs (loss, logits): SameDiff cannot guess which to minimise
    sd.setLossVariables(loss.name());
    return loss;
  }

  @Override
  public String activationsVertexName() {
    return LOGITS;
  }

  @Override
  public boolean labelsRequired() {
    return true;
  }

  @Override
  public SameDiffLmLoss exemptFromWeightDecay() {
    this.decayExempt = true;
    return this;
  }

  public boolean isDecayExempt() {
    return decayExempt;
  }

  public void setDecayExempt(boolean decayExempt) {
    this.decayExempt = decayExempt;
  }

  /** Weight decay on the vocabulary projection only. */
  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    List<Regularization> r = VOCAB.equals(paramName) && !decayExempt
        ? super.getRegularizationByParam(paramName) : null;
    return r == null ? List.of() : r;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(LN_GAIN, width);
    params.addBiasParam(LN_BIAS, width);
    params.addWeightParam(VOCAB, width, vocabSize);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get(LN_GAIN).assign(1.0);
    params.get(LN_BIAS).assign(0.0);
    params.get(VOCAB).assign(0.0);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(vocabSize, contextLength);
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }

  public int getVocabSize() {
    return vocabSize;
  }

  public void setVocabSize(int vocabSize) {
    this.vocabSize = vocabSize;
  }

  public int getContextLength() {
    return contextLength;
  }

  public void setContextLength(int contextLength) {
    this.contextLength = contextLength;
  }
}
