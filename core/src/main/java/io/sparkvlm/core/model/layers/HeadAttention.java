package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.AttentionSoftmax;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.HeadMatrices;
import io.sparkvlm.core.model.layers.kernels.Native;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scaled dot-product attention over G = batch x heads groups, shared by the self-attention of
 * {@link TransformerBlock} (N = T keys) and the cross-attention of {@link GatedCrossAttention} (keys from N visual
 * tokens). Queries, keys, values and outputs stay where the projections put them ({@link HeadMatrices}); only the
 * scores [G, T, N] are an array of their own. The forward pass caches the softmax probabilities in the layer's
 * arena, on the heap and native, under {@link #PROBABILITIES}; the backward pass reads them from there.
 */
final class HeadAttention {
  static final String PROBABILITIES = "attention probabilities";
  private static final String SCORES = "attention scores";

  private HeadAttention() {}

  /** o = softmax(q k^T / sqrt(D), masked) v, each [T, D] (keys and values [N, D]) per group. */
  static void forward(Arena cache, DataType dt, HeadMatrices q, HeadMatrices k, HeadMatrices v, Buf mask,
      boolean causal, HeadMatrices o) {
    int groups = q.count();
    int t = q.rows();
    int n = k.rows();
    Arena tmp = Arena.temporaries();
    INDArray scores = tmp.array(SCORES, dt, groups, t, n);                                 // [G, T, N]
    Gemm.heads(q, false, k, true, HeadMatrices.groups(scores));
    Buf p = cache.buf(PROBABILITIES, dt, (long) groups * t * n);
    AttentionSoftmax.forward(tmp.read(SCORES, scores), p, mask, groups, q.heads(), t, n, 1 / Math.sqrt(q.cols()),
        causal);
    INDArray pn = cache.array(PROBABILITIES, dt, groups, t, n);
    Native.write(p, pn);
    Gemm.heads(HeadMatrices.groups(pn), false, v, false, o);
  }

  /** dQ, dK and dV (written where they lie) from dO, with the q, k and v the forward pass was given. */
  static void backward(Arena cache, DataType dt, HeadMatrices q, HeadMatrices k, HeadMatrices v, HeadMatrices dO,
      HeadMatrices dQ, HeadMatrices dK, HeadMatrices dV) {
    int groups = q.count();
    int t = q.rows();
    int n = k.rows();
    Arena tmp = Arena.temporaries();
    HeadMatrices p = HeadMatrices.groups(cache.array(PROBABILITIES, dt, groups, t, n));
    INDArray dScores = tmp.array(SCORES, dt, groups, t, n);
    HeadMatrices dS = HeadMatrices.groups(dScores);
    Gemm.heads(dO, false, v, true, dS);                                                     // dP [G, T, N]
    Gemm.heads(p, true, dO, false, dV);                                                     // P^T dO
    Buf dSb = tmp.read(SCORES, dScores);
    AttentionSoftmax.backward(cache.buf(PROBABILITIES, dt, (long) groups * t * n), dSb, dSb, groups, t, n,
        1 / Math.sqrt(q.cols()));
    Native.write(dSb, dScores);                                                             // dS, scaled
    Gemm.heads(dS, false, k, false, dQ);
    Gemm.heads(dS, true, q, false, dK);
  }
}
