package io.sparkvlm.core.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The runtime side of {@link PrefixConcat}. */
class PrefixConcatVertex extends BaseGraphVertex {
  private final int prefixTokens;
  private final int sequenceTokens;

  PrefixConcatVertex(ComputationGraph graph, String name, int index, DataType dataType, int prefixTokens,
      int sequenceTokens) {
    super(graph, name, index, null, null, dataType);
    this.prefixTokens = prefixTokens;
    this.sequenceTokens = sequenceTokens;
  }

  @Override
  public boolean hasLayer() {
    return false;
  }

  @Override
  public Layer getLayer() {
    return null;
  }

  @Override
  public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (!canDoForward()) {
      throw new IllegalStateException("PrefixConcat '" + vertexName + "': inputs not set");
    }
    INDArray prefix = inputs[0].castTo(dataType);                                       // [B, N, W]
    INDArray sequence = inputs[1].castTo(dataType);                                     // [B, T, W]
    if (prefix.rank() != 3 || sequence.rank() != 3 || prefix.size(1) != prefixTokens
        || sequence.size(1) != sequenceTokens || prefix.size(0) != sequence.size(0)
        || prefix.size(2) != sequence.size(2)) {
      throw new IllegalStateException("PrefixConcat '" + vertexName + "' expects [B, " + prefixTokens
          + ", W] and [B, " + sequenceTokens + ", W], got " + java.util.Arrays.toString(prefix.shape()) + " and "
          + java.util.Arrays.toString(sequence.shape()));
    }
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, prefix.size(0),
        (long) prefixTokens + sequenceTokens, prefix.size(2));                           // [B, N+T, W]
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, prefixTokens), NDArrayIndex.all()).assign(prefix);
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(prefixTokens, prefixTokens + sequenceTokens),
        NDArrayIndex.all()).assign(sequence);
    return out;
  }

  @Override
  public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
    if (!canDoBackward()) {
      throw new IllegalStateException("PrefixConcat '" + vertexName + "': gradient not set");
    }
    long b = epsilon.size(0);
    long w = epsilon.size(2);
    INDArray prefix = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), b,
        prefixTokens, w);                                                                // [B, N, W]
    INDArray sequence = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), b,
        sequenceTokens, w);                                                              // [B, T, W]
    prefix.assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(0, prefixTokens), NDArrayIndex.all()));
    sequence.assign(epsilon.get(NDArrayIndex.all(),
        NDArrayIndex.interval(prefixTokens, prefixTokens + sequenceTokens), NDArrayIndex.all()));
    return new Pair<>(null, new INDArray[] {prefix, sequence});
  }

  @Override
  public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
    if (backpropGradientsViewArray != null) {
      throw new IllegalStateException("PrefixConcat has no parameters");
    }
  }

  /** Ones for the prefix, then the sequence's mask; no mask if the sequence has none. */
  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
      int minibatchSize) {
    INDArray sequenceMask = maskArrays == null ? null : maskArrays[1];
    if (sequenceMask == null) {
      return new Pair<>(null, currentMaskState);
    }
    INDArray ones = Nd4j.ones(sequenceMask.dataType(), sequenceMask.size(0), prefixTokens);   // [B, N]
    return new Pair<>(Nd4j.concat(1, ones, sequenceMask), MaskState.Active);                  // [B, N+T]
  }

  @Override
  public String toString() {
    return "PrefixConcat(" + vertexName + ", prefix " + prefixTokens + ", sequence " + sequenceTokens + ")";
  }
}
