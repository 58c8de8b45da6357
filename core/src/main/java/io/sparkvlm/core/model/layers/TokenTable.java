package io.sparkvlm.core.model.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The token embedding table (the first half of the text stem): ids [batch, 1, context] (numbers) in,
 * [batch, context, width] out. DL4J's own EmbeddingSequenceLayer (a row lookup forward, a scatter-add of the
 * gradient backward; no bias, identity activation, OpenCLIP's N(0, 0.02) initialisation), never weight-decayed.
 * It replaces a SameDiff one-hot x table product (SameDiff's gather gives wrong table gradients in ND4J 1.0.0-M2.1),
 * which cost a [batch x context, vocab] matrix and three vocab-sized matrix products per step.
 */
public class TokenTable extends EmbeddingSequenceLayer implements Freezable {

  /** For JSON deserialisation. */
  public TokenTable() {
  }

  public static TokenTable of(int vocabSize, int contextLength, int width) {
    TokenTable t = new TokenTable();
    t.setNIn(vocabSize);
    t.setNOut(width);
    t.setInputLength(contextLength);
    t.setInferInputLength(false);
    t.setHasBias(false);
    t.setOutputFormat(RNNFormat.NWC);
    t.setActivationFn(new ActivationIdentity());
    t.setWeightInitFn(new WeightInitDistribution(new NormalDistribution(0, 0.02)));
    return t;
  }

  /**
   * The vocabulary size is fixed by the model: DL4J would otherwise take nIn from the input type, which for ids
   * [B, 1, T] says 1.
   */
  @Override
  public void setNIn(org.deeplearning4j.nn.conf.inputs.InputType inputType, boolean override) {
  }

  /**
   * Always [batch, context, width], the layout spark-vlm's layers pass sequences in; configurations written before
   * that (NCW) read the same.
   */
  @Override
  public RNNFormat getOutputFormat() {
    return RNNFormat.NWC;
  }

  @Override
  public org.deeplearning4j.nn.conf.inputs.InputType getOutputType(int layerIndex,
      org.deeplearning4j.nn.conf.inputs.InputType inputType) {
    return org.deeplearning4j.nn.conf.inputs.InputType.recurrent(getNOut(), getInputLength(), RNNFormat.NWC);
  }

  /** Token embeddings are never decayed. */
  @Override
  public TokenTable exemptFromWeightDecay() {
    return this;
  }

  /** Token embeddings: no weight decay. */
  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    return List.of();
  }
}
