package io.sparkvlm.core.model.layers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkvlm.core.model.Nd4jThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GemmTest {
  private final int before = Nd4jThreads.current();

  @AfterEach
  void restoreThreads() {
    Nd4jThreads.set(before);
  }

  /** Every group's product, computed one group at a time with plain gemm. */
  private static INDArray perGroup(INDArray a, boolean transA, INDArray b, boolean transB) {
    int groups = (int) a.size(0);
    long rows = transA ? a.size(2) : a.size(1);
    long cols = transB ? b.size(1) : b.size(2);
    INDArray c = Nd4j.create(a.dataType(), groups, rows, cols);
    for (int g = 0; g < groups; g++) {
      INDArray ag = a.slice(g);
      INDArray bg = b.slice(g);
      c.slice(g).assign((transA ? ag.transpose() : ag).mmul(transB ? bg.transpose() : bg));
    }
    return c;
  }

  @Test
  void batchedProductsSplitAcrossThreadsEqualOneProductPerGroup() {
    // 7 groups on 2 and 3 kernel threads: uneven ranges, and every transpose combination the attention uses
    for (int threads : new int[] {1, 2, 3}) {
      Nd4jThreads.set(threads);
      for (boolean transA : new boolean[] {false, true}) {
        for (boolean transB : new boolean[] {false, true}) {
          Nd4j.getRandom().setSeed(threads * 4L + (transA ? 2 : 0) + (transB ? 1 : 0));
          INDArray a = transA ? Nd4j.rand(DataType.DOUBLE, 7, 4, 5) : Nd4j.rand(DataType.DOUBLE, 7, 5, 4);
          INDArray b = transB ? Nd4j.rand(DataType.DOUBLE, 7, 6, 4) : Nd4j.rand(DataType.DOUBLE, 7, 4, 6);
          INDArray c = Nd4j.create(DataType.DOUBLE, 7, 5, 6);
          Gemm.batched(a, transA, b, transB, c);
          INDArray expected = perGroup(a, transA, b, transB);
          assertEquals(0, expected.sub(c).amaxNumber().doubleValue(), 1e-12,
              threads + " threads, transA " + transA + ", transB " + transB);
        }
      }
    }
  }
}
