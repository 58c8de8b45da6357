package io.sparkvlm.core.model.bench;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's measured fp32 matrix-multiply peak through ND4J, the denominator of MFU: median GFLOP/s of
 * {@code C = A B} on preallocated n x n matrices (no allocation in the timed loop; STACK.md saw allocating mmul
 * reach only a third of sgemm's rate).
 */
public final class SgemmPeak {
  private SgemmPeak() {}

  public record Result(int n, double medianGflops, double bestGflops) {}

  public static Result measure(int n, int repeats) {
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.zeros(DataType.FLOAT, n, n);
    for (int i = 0; i < 2; i++) {
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }
    double[] gflops = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long t0 = System.nanoTime();
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      Nd4j.getExecutioner().commit();
      gflops[i] = 2.0 * n * n * n / (System.nanoTime() - t0);
    }
    Arrays.sort(gflops);
    return new Result(n, gflops[repeats / 2], gflops[repeats - 1]);
  }
}
