package io.sparkvlm.core.model.layers.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link Gemm#heads} on the CPU backend: one cblas gemm per (batch row, head) straight on the native arrays, with
 * their leading dimensions, through the OpenBLAS that ND4J itself calls. The matrices are split into one contiguous
 * range per kernel thread ({@link Parallel}); with several threads, a product large enough for OpenBLAS to thread
 * it on its own is cut into row blocks below that size, so the kernel threads do not contend for OpenBLAS's pool.
 */
final class OpenBlasHeads {
  /** OpenBLAS 0.3 runs a gemm on one thread when M * N * K is at most 65536 x GEMM_MULTITHREAD_THRESHOLD (4). */
  private static final double SINGLE_THREAD_MNK = 65536.0 * 4;

  private OpenBlasHeads() {}

  /** c[g] = op(a[g]) op(b[g]); op(a[g]) is [m, k], op(b[g]) is [k, n]. */
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
}
