package io.sparkvlm.core.model.layers.kernels;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/** Matrix products into existing arrays (no allocation): BLAS sgemm/dgemm, one matrix or one per attention head. */
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
    heads(HeadMatrices.groups(a), transA, HeadMatrices.groups(b), transB, HeadMatrices.groups(c));
  }

  /**
   * c[g] = op(a[g]) op(b[g]) for every (batch row, head) g, each matrix wherever it lies in its array (attention's
   * products on the projections' token-major rows, no head split). On the CPU backend, one BLAS gemm per matrix
   * on the native arrays ({@link OpenBlas}); on others, ND4J's batched matmul on strided views.
   */
  public static void heads(HeadMatrices a, boolean transA, HeadMatrices b, boolean transB, HeadMatrices c) {
    long profiled = OpProfile.start();
    try {
      int m = transA ? a.cols() : a.rows();
      int k = transA ? a.rows() : a.cols();
      int n = transB ? b.rows() : b.cols();
      int kb = transB ? b.cols() : b.rows();
      if (a.count() != c.count() || b.count() != c.count() || k != kb || c.rows() != m || c.cols() != n
          || a.array().dataType() != c.array().dataType() || b.array().dataType() != c.array().dataType()) {
        throw new IllegalArgumentException("head products of mismatched matrices: " + describe(a, transA) + " x "
            + describe(b, transB) + " -> " + describe(c, false));
      }
      if (OpenBlas.available()) {
        OpenBlas.products(a, transA, b, transB, c, m, n, k);
      } else {
        headsThroughNd4j(a, transA, b, transB, c);
      }
    } finally {
      OpProfile.stop("batched matmul (attention)", profiled);
    }
  }

  /** {@link #heads} with ND4J's batched matmul on copies of the strided views (any backend). */
  static void headsThroughNd4j(HeadMatrices a, boolean transA, HeadMatrices b, boolean transB, HeadMatrices c) {
    MMulTranspose transpose = MMulTranspose.builder().transposeA(transA).transposeB(transB).build();
    INDArray product = Nd4j.create(c.array().dataType(), c.count(), c.rows(), c.cols());
    Nd4j.exec(new Mmul(groups(a), groups(b), product, transpose));
    c.view().assign(product.reshape('c', c.batch(), c.heads(), c.rows(), c.cols()));
  }

  private static INDArray groups(HeadMatrices x) {
    return x.view().dup('c').reshape('c', x.count(), x.rows(), x.cols());                  // [G, rows, cols]
  }

  private static String describe(HeadMatrices x, boolean transposed) {
    return x.count() + " x [" + x.rows() + ", " + x.cols() + "]" + (transposed ? "^T" : "") + " "
        + x.array().dataType();
  }
}
