package io.sparkvlm.core.model.layers.kernels;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Matrix products into existing arrays (no allocation): BLAS sgemm/dgemm, and ND4J's batched matmul. */
public final class Gemm {
  private Gemm() {}

  /** c = op(a) op(b) for matrices; c contiguous (a gradient view is fine). */
  public static void mm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c) {
    long profiled = OpProfile.start();
    try {
      Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0);
    } finally {
      OpProfile.stop("gemm", profiled);
    }
  }

  /** c += op(a) op(b). */
  public static void mmAdd(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c) {
    long profiled = OpProfile.start();
    try {
      Nd4j.gemm(a, b, c, transA, transB, 1.0, 1.0);
    } finally {
      OpProfile.stop("gemm", profiled);
    }
  }

  /**
   * c[g] = op(a[g]) op(b[g]) for every g of rank-3 arrays [groups, rows, cols]. ND4J's batched matmul of small
   * matrices runs on one thread whatever its thread count, so the groups are split into one contiguous range per
   * kernel thread ({@link Parallel}), each range one batched matmul.
   */
  public static void batched(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c) {
    long profiled = OpProfile.start();
    try {
      MMulTranspose transpose = MMulTranspose.builder().transposeA(transA).transposeB(transB).build();
      int groups = (int) a.size(0);
      int threads = Parallel.threads();
      if (threads == 1 || groups < 2 * threads) {
        Nd4j.exec(new Mmul(a, b, c, transpose));
        return;
      }
      Parallel.rows(groups, groups / threads, (g0, g1) -> {
        INDArrayIndex range = NDArrayIndex.interval(g0, g1);
        Nd4j.exec(new Mmul(groupsOf(a, range), groupsOf(b, range), groupsOf(c, range), transpose));
      });
    } finally {
      OpProfile.stop("batched matmul (attention)", profiled);
    }
  }

  private static INDArray groupsOf(INDArray x, INDArrayIndex range) {
    return x.get(range, NDArrayIndex.all(), NDArrayIndex.all());                  // [g1 - g0, rows, cols]
  }
}
