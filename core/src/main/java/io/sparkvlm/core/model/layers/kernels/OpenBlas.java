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
    boolean single = c.array().dataType() == DataType.FLOAT;
    Parallel.rows(c.count(), 1, (g0, g1) -> {
      if (single) {
        FloatPointer pa = new FloatPointer(a.array().data().addressPointer());
        FloatPointer pb = new FloatPointer(b.array().data().addressPointer());
        FloatPointer pc = new FloatPointer(c.array().data().addressPointer());
        for (int g = g0; g < g1; g++) {
          pb.position(b.start(g));
          for (int r0 = 0; r0 < m; r0 += blockRows) {
            int rows = Math.min(blockRows, m - r0);
            pa.position(a.start(g) + (transA ? r0 : (long) r0 * a.ld()));
            pc.position(c.start(g) + (long) r0 * c.ld());
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, rows,
                n, k, 1f, pa, a.ld(), pb, b.ld(), 0f, pc, c.ld());
          }
        }
      } else {
        DoublePointer pa = new DoublePointer(a.array().data().addressPointer());
        DoublePointer pb = new DoublePointer(b.array().data().addressPointer());
        DoublePointer pc = new DoublePointer(c.array().data().addressPointer());
        for (int g = g0; g < g1; g++) {
          pb.position(b.start(g));
          for (int r0 = 0; r0 < m; r0 += blockRows) {
            int rows = Math.min(blockRows, m - r0);
            pa.position(a.start(g) + (transA ? r0 : (long) r0 * a.ld()));
            pc.position(c.start(g) + (long) r0 * c.ld());
            cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, rows,
                n, k, 1.0, pa, a.ld(), pb, b.ld(), 0.0, pc, c.ld());
          }
        }
      }
    });
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

  /** The pointer moved to the array's first element (a view's buffer already points at its own offset). */
  private static <P extends Pointer> P at(P p, INDArray a) {
    return p.position(p.position() + a.offset() - a.data().offset());
  }
}
