package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.AttentionSoftmax;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.Native;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward of scaled dot-product attention over G = batch x heads groups, shared by the self-attention of
 * {@link TransformerBlock} (N = T) and the cross-attention of {@link GatedCrossAttention} (keys from N visual
 * tokens). Reads what the forward cached under the names "q" [G, T, D], "k" and "v" [G, N, D] and "p" [G, T, N]
 * (the softmax probabilities).
 */
final class HeadAttention {
  private HeadAttention() {}

  /** The gradients of the queries, keys and values, {dQ [G, T, D], dK [G, N, D], dV [G, N, D]}, from dO [G, T, D]. */
  static INDArray[] backward(Arena cache, Arena tmp, DataType dt, INDArray dO, int groups, int t, int n, int d) {
    INDArray q = cache.array("q", dt, groups, t, d);
    INDArray k = cache.array("k", dt, groups, n, d);
    INDArray v = cache.array("v", dt, groups, n, d);
    INDArray p = cache.array("p", dt, groups, t, n);
    INDArray dScores = tmp.array("scores", dt, groups, t, n);
    Gemm.batched(dO, false, v, true, dScores);                                            // dP [G, T, N]
    INDArray dV = tmp.array("dv", dt, groups, n, d);
    Gemm.batched(p, true, dO, false, dV);                                                 // P^T dO
    Buf dS = tmp.read("scores", dScores);
    AttentionSoftmax.backward(cache.buf("p", dt, (long) groups * t * n), dS, dS, groups, t, n, 1 / Math.sqrt(d));
    Native.write(dS, dScores);                                                            // dS, scaled
    INDArray dQ = tmp.array("dq", dt, groups, t, d);
    Gemm.batched(dScores, false, k, false, dQ);
    INDArray dK = tmp.array("dk", dt, groups, n, d);
    Gemm.batched(dScores, true, q, false, dK);
    return new INDArray[] {dQ, dK, dV};
  }
}
