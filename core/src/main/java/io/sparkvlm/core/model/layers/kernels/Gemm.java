package io.sparkvlm.core.model.layers.kernels;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

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

  /** c[g] = op(a[g]) op(b[g]) for every g of rank-3 arrays [groups, rows, cols]. */
  public static void batched(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c) {
    long profiled = OpProfile.start();
    try {
      Nd4j.exec(new Mmul(a, b, c, MMulTranspose.builder().transposeA(transA).transposeB(transB).build()));
    } finally {
      OpProfile.stop("batched matmul (attention)", profiled);
    }
  }
}
