package io.sparkvlm.core.model.layers;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Puts a prefix of always-present tokens (visual tokens from a connector) in front of a padded token sequence
 * (embedded text) along time: [B, N, W] and [B, T, W] in, [B, N + T, W] out. The output mask is [B, N + T]: ones
 * for the prefix, then the text's padding mask, so the padding stays at the end and attention masks stay right.
 * DL4J's MergeVertex cannot do this: it concatenates the activations but drops the masks when one input has none.
 * No parameters and no SameDiff: forward is a concatenation, backward splits the gradient.
 */
public class PrefixConcat extends GraphVertex {
  private int prefixTokens;
  private int sequenceTokens;

  /** For JSON deserialisation. */
  public PrefixConcat() {
  }

  public PrefixConcat(int prefixTokens, int sequenceTokens) {
    this.prefixTokens = prefixTokens;
    this.sequenceTokens = sequenceTokens;
  }

  @Override
  public PrefixConcat clone() {
    return new PrefixConcat(prefixTokens, sequenceTokens);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrefixConcat p && p.prefixTokens == prefixTokens && p.sequenceTokens == sequenceTokens;
  }

  @Override
  public int hashCode() {
    return 31 * prefixTokens + sequenceTokens;
  }

  @Override
  public long numParams(boolean backprop) {
    return 0;
  }

  @Override
  public int minVertexInputs() {
    return 2;
  }

  @Override
  public int maxVertexInputs() {
    return 2;
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
      INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
    return new PrefixConcatVertex(graph, name, idx, networkDatatype, prefixTokens, sequenceTokens);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... inputs) throws InvalidInputTypeException {
    if (inputs.length != 2 || !(inputs[0] instanceof InputType.InputTypeRecurrent prefix)
        || !(inputs[1] instanceof InputType.InputTypeRecurrent sequence)) {
      throw new InvalidInputTypeException("PrefixConcat takes two recurrent inputs (prefix, sequence), got "
          + java.util.Arrays.toString(inputs));
    }
    if (prefix.getSize() != sequence.getSize()) {
      throw new InvalidInputTypeException("PrefixConcat: prefix width " + prefix.getSize()
          + " differs from the sequence width " + sequence.getSize());
    }
    return InputType.recurrent(prefix.getSize(), (long) prefixTokens + sequenceTokens, RNNFormat.NWC);
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(null, PrefixConcat.class, inputTypes[0], getOutputType(-1, inputTypes))
        .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
  }

  public int getPrefixTokens() {
    return prefixTokens;
  }

  public void setPrefixTokens(int prefixTokens) {
    this.prefixTokens = prefixTokens;
  }

  public int getSequenceTokens() {
    return sequenceTokens;
  }

  public void setSequenceTokens(int sequenceTokens) {
    this.sequenceTokens = sequenceTokens;
  }
}
