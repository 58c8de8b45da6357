package io.sparkvlm.core.model.layers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvlm.core.model.Nd4jThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

  /** Head h of part p of token-major rows [B * T, P * H * D], copied out as [B * H, T, D] (head-major). */
  private static INDArray headMajor(INDArray rows, int batch, int time, int heads, int dim, int part) {
    INDArray out = Nd4j.create(rows.dataType(), (long) batch * heads, time, dim);
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        for (int t = 0; t < time; t++) {
          for (int d = 0; d < dim; d++) {
            out.putScalar(new long[] {(long) b * heads + h, t, d},
                rows.getDouble((long) b * time + t, ((long) part * heads + h) * dim + d));
          }
        }
      }
    }
    return out;
  }

  @Test
  void headProductsReadAndWriteTheHeadsWhereTheProjectionsPutThem() {
    // attention's four product kinds on q | k | v rows of 3 batch rows x 5 tokens, 2 heads of 4; the arrays are
    // views at an offset into a larger buffer, as a layer's gradient views are; float and double, 1 and 2 threads
    int batch = 3;
    int time = 5;
    int heads = 2;
    int dim = 4;
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
      for (int threads : new int[] {1, 2}) {
        Nd4jThreads.set(threads);
        Nd4j.getRandom().setSeed(threads);
        int width = 3 * heads * dim;
        INDArray buffer = Nd4j.rand(type, 7 + (long) batch * time * width);
        INDArray qkv = buffer.get(NDArrayIndex.interval(7, buffer.length()))
            .reshape('c', (long) batch * time, width);                                   // [B*T, 3C], offset 7
        INDArray q = headMajor(qkv, batch, time, heads, dim, 0);
        INDArray k = headMajor(qkv, batch, time, heads, dim, 1);
        INDArray v = headMajor(qkv, batch, time, heads, dim, 2);
        HeadMatrices qh = HeadMatrices.tokenMajor(qkv, batch, heads, time, dim, 0);
        HeadMatrices kh = HeadMatrices.tokenMajor(qkv, batch, heads, time, dim, 1);
        HeadMatrices vh = HeadMatrices.tokenMajor(qkv, batch, heads, time, dim, 2);
        String where = type + ", " + threads + " threads";

        INDArray scores = Nd4j.create(type, (long) batch * heads, time, time);
        Gemm.heads(qh, false, kh, true, HeadMatrices.groups(scores));                   // q k^T
        assertEquals(0, perGroup(q, false, k, true).sub(scores).amaxNumber().doubleValue(), tolerance, where);

        INDArray ctx = Nd4j.create(type, (long) batch * time, heads * dim);
        Gemm.heads(HeadMatrices.groups(scores), false, vh, false, HeadMatrices.tokenMajor(ctx, batch, heads, time,
            dim, 0));                                                                   // P v, into [B*T, C]
        assertEquals(0, perGroup(scores, false, v, false).sub(headMajor(ctx, batch, time, heads, dim, 0))
            .amaxNumber().doubleValue(), tolerance, where);

        INDArray dqkv = Nd4j.zeros(type, (long) batch * time, width);
        Gemm.heads(HeadMatrices.groups(scores), true, qh, false, HeadMatrices.tokenMajor(dqkv, batch, heads, time,
            dim, 1));                                                                   // P^T q, into the k part
        assertEquals(0, perGroup(scores, true, q, false).sub(headMajor(dqkv, batch, time, heads, dim, 1))
            .amaxNumber().doubleValue(), tolerance, where);
        assertEquals(0, dqkv.get(NDArrayIndex.all(),
            NDArrayIndex.interval(0, heads * dim)).amaxNumber().doubleValue(),
            "the q part is untouched: " + where);

        // and ND4J's batched matmul on strided views (the path of backends other than the CPU) agrees
        INDArray viaNd4j = Nd4j.create(type, (long) batch * time, heads * dim);
        Gemm.headsThroughNd4j(HeadMatrices.groups(scores), false, vh, false, HeadMatrices.tokenMajor(viaNd4j, batch,
            heads, time, dim, 0));
        assertEquals(0, ctx.sub(viaNd4j).amaxNumber().doubleValue(), tolerance, where);
      }
    }
  }

  @Test
  void headProductsOfMismatchedShapesAreRefused() {
    INDArray rows = Nd4j.create(DataType.FLOAT, 10, 24);
    HeadMatrices q = HeadMatrices.tokenMajor(rows, 2, 2, 5, 4, 0);
    INDArray scores = Nd4j.create(DataType.FLOAT, 4, 5, 6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.heads(q, false, q, true, HeadMatrices.groups(scores)));
    assertTrue(e.getMessage().contains("4 x [5, 6]"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> HeadMatrices.tokenMajor(rows, 2, 2, 5, 4, 3), "a fourth part of q | k | v rows does not fit");
  }
}
