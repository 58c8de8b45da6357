package io.sparkvlm.core.model.layers;

import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token embedding plus learned positions (OpenCLIP's text stem): token ids [batch, 1, context] (DL4J's recurrent
 * layout, ids as numbers) in, [batch, width, context] out.
 */
public class TextEmbedding extends CorrectedSameDiffLayer {
  public static final String TOKENS = "tokens";
  public static final String POSITIONS = "pos";

  private int vocabSize;
  private int contextLength;
  private int width;

  public TextEmbedding() {
  }

  public TextEmbedding(int vocabSize, int contextLength, int width) {
    this.vocabSize = vocabSize;
    this.contextLength = contextLength;
    this.width = width;
  }

  @Override
  protected SDVariable defineBody(SameDiff sd, SDVariable ids, Map<String, SDVariable> p, SDVariable mask) {
    SDVariable flat = ids.reshape(-1).castTo(DataType.INT64);                          // [B*T]
    // one-hot x table rather than gather: gather's backprop gives wrong table gradients in ND4J 1.0.0-M2.1
    // (TextEmbeddingTest), at the cost of a [B*T, vocab] one-hot matrix per batch
    SDVariable oneHot = sd.oneHot(null, flat, vocabSize, -1, 1.0, 0.0, p.get(TOKENS).dataType()); // [B*T, V]
    SDVariable emb = oneHot.mmul(p.get(TOKENS))                                        // [B*T, W]
        .reshape(-1, contextLength, width).add(p.get(POSITIONS));                       // [B, T, W]
    // ids carry no gradient; the zero term keeps DL4J's required input gradient defined
    return emb.permute(0, 2, 1).add(ids.mul(0.0));                                      // [B, W, T]
  }

  @Override
  protected Set<String> decayedParams() {
    return Set.of(); // token and position embeddings: no decay
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(TOKENS, vocabSize, width);
    params.addWeightParam(POSITIONS, contextLength, width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    Init.normal(params.get(TOKENS), 0.02, 201);
    Init.normal(params.get(POSITIONS), 0.01, 202);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, contextLength);
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

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }
}
