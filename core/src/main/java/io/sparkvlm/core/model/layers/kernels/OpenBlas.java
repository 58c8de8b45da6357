package io.sparkvlm.core.model.layers.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemv;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BLAS calls straight on native arrays on the CPU backend, through the OpenBLAS that ND4J itself calls: what ND4J
 * has no fast op for. Callers check the backend first ({@link #available}).
 */
final class OpenBlas {
  /** OpenBLAS 0.3 runs a gemm on one thread when M * N * K is at most 65536 x GEMM_MULTITHREAD_THRESHOLD (4). */
  private static final double SINGLE_THREAD_MNK = 65536.0 * 4;

  private OpenBlas() {}

  /** Whether ND4J runs on the CPU, i.e. its arrays are host memory that OpenBLAS can read. */
  static boolean available() {
    return Nd4j.getExecutioner().type() == OpExecutioner.ExecutionerType.NATIVE_CPU;
  }

  /**
   * {@link Gemm#heads}: one gemm per (batch row, head) with the matrices' leading dimensions; c[g] = op(a[g])
   * op(b[g]), op(a[g]) [m, k], op(b[g]) [k, n]. The matrices are split into one contiguous range per kernel thread
   * ({@link Parallel}); with several threads, a product large enough for OpenBLAS to thread it on its own is cut
   * into row blocks below that size, so the kernel threads do not contend for OpenBLAS's pool.
   */
  static void products(HeadMatrices a, boolean transA, HeadMatrices b, boolean transB, HeadMatrices c, int m,
      int n, int k) {
    int threads = Parallel.threads();
    int blocks = threads == 1 ? 1 : (int) Math.min(m, Math.ceil((double) m * n * k / SINGLE_THREAD_MNK));
    int blockRows = (m + blocks - 1) / blocks;
    int opA = transA ? CblasTrans : CblasNoTrans;
    int opB = transB ? CblasTrans : CblasNoTrans;
    Parallel.rows(c.count(), 1, (g0, g1) -> {
      BlockProduct product = blockProduct(a.array(), b.array(), c.array(), opA, opB, n, k, a.ld(), b.ld(), c.ld());
      for (int g = g0; g < g1; g++) {
        for (int r0 = 0; r0 < m; r0 += blockRows) {
          product.run(Math.min(blockRows, m - r0), a.start(g) + (transA ? r0 : (long) r0 * a.ld()), b.start(g),
              c.start(g) + (long) r0 * c.ld());
        }
      }
    });
  }

  /** One gemm of {@code rows} rows of op(a) with op(b) into c, each that many elements past its array's first. */
  @FunctionalInterface
  private interface BlockProduct {
    void run(int rows, long aStart, long bStart, long cStart);
  }

  /** The gemm of the arrays' precision, on pointers of this thread's own (their positions move per call). */
  private static BlockProduct blockProduct(INDArray a, INDArray b, INDArray c, int opA, int opB, int n, int k,
      int lda, int ldb, int ldc) {
    long a0 = first(a);
    long b0 = first(b);
    long c0 = first(c);
    if (c.dataType() == DataType.FLOAT) {
      FloatPointer pa = new FloatPointer(a.data().addressPointer());
      FloatPointer pb = new FloatPointer(b.data().addressPointer());
      FloatPointer pc = new FloatPointer(c.data().addressPointer());
      return (rows, aStart, bStart, cStart) -> cblas_sgemm(CblasRowMajor, opA, opB, rows, n, k, 1f,
          pa.position(a0 + aStart), lda, pb.position(b0 + bStart), ldb, 0f, pc.position(c0 + cStart), ldc);
    }
    DoublePointer pa = new DoublePointer(a.data().addressPointer());
    DoublePointer pb = new DoublePointer(b.data().addressPointer());
    DoublePointer pc = new DoublePointer(c.data().addressPointer());
    return (rows, aStart, bStart, cStart) -> cblas_dgemm(CblasRowMajor, opA, opB, rows, n, k, 1.0,
        pa.position(a0 + aStart), lda, pb.position(b0 + bStart), ldb, 0.0, pc.position(c0 + cStart), ldc);
  }

  /**
   * out [1, cols] = the sums down the rows of x [rows, cols] (contiguous, row-major), as the matrix-vector product
   * x^T ones: gemv streams x once (a row of ones times x as a gemm is 3-5x slower, more so on two threads).
   */
  static void columnSums(INDArray x, INDArray out, INDArray ones) {
    int rows = (int) x.size(0);
    int cols = (int) x.size(1);
    if (x.dataType() == DataType.FLOAT) {
      cblas_sgemv(CblasRowMajor, CblasTrans, rows, cols, 1f, at(new FloatPointer(x.data().addressPointer()), x),
          cols, at(new FloatPointer(ones.data().addressPointer()), ones), 1, 0f,
          at(new FloatPointer(out.data().addressPointer()), out), 1);
    } else {
      cblas_dgemv(CblasRowMajor, CblasTrans, rows, cols, 1.0, at(new DoublePointer(x.data().addressPointer()), x),
          cols, at(new DoublePointer(ones.data().addressPointer()), ones), 1, 0.0,
          at(new DoublePointer(out.data().addressPointer()), out), 1);
    }
  }

  /**
   * The pointer moved to the array's first element: a view's data buffer already points at its own offset into the
   * original, and the array's offset counts from the original.
   */
  private static <P extends Pointer> P at(P p, INDArray a) {
    return p.position(p.position() + first(a));
  }

  /** Elements from where the array's data buffer's address points to the array's first element. */
  private static long first(INDArray a) {
    return a.offset() - a.data().offset();
  }
}
