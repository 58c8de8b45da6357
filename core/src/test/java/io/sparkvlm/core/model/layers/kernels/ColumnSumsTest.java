package io.sparkvlm.core.model.layers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvlm.core.model.Nd4jThreads;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ColumnSumsTest {
  private final int before = Nd4jThreads.current();

  @AfterEach
  void restoreThreads() {
    Nd4jThreads.set(before);
  }

  @Test
  void nativeColumnSumsEqualTheHeapKernelsIntoAViewAtAnOffset() {
    // 37 rows (not a multiple of any unroll) x 11 columns; the output a [1, 11] view 5 values into a larger
    // array, as a bias gradient is a view into the network's flat gradient; float and double, 1 and 2 threads
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      for (int threads : new int[] {1, 2}) {
        Nd4jThreads.set(threads);
        Nd4j.getRandom().setSeed(threads);
        INDArray x = Nd4j.rand(type, 37, 11).subi(0.5);
        Buf heapX = Buf.allocate(type, 37 * 11);
        Native.read(x, heapX);
        Buf expected = Buf.allocate(type, 11);
        ColumnSums.sum(heapX, expected, 37, 11);
        INDArray flat = Nd4j.zeros(type, 1, 20);
        INDArray out = flat.get(NDArrayIndex.all(), NDArrayIndex.interval(5, 16));               // [1, 11] view
        assertTrue(Native.contiguous(x) && Native.contiguous(out), "the BLAS path: " + Arrays.toString(out.stride()));
        ColumnSums.sum(x, out);
        for (int c = 0; c < 11; c++) {
          assertEquals(expected.get(c), out.getDouble(0, c), type == DataType.DOUBLE ? 1e-12 : 1e-5,
              type + ", " + threads + " threads, column " + c);
        }
        assertEquals(0, flat.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 5)).amaxNumber().doubleValue());
        assertEquals(0, flat.get(NDArrayIndex.all(), NDArrayIndex.interval(16, 20)).amaxNumber().doubleValue());

        // a non-contiguous input (a transposed view) takes ND4J's sum and gives the same
        INDArray viaView = Nd4j.create(type, 1, 11);
        ColumnSums.sum(x.transpose().dup('c').transpose(), viaView);
        assertEquals(0, viaView.sub(out).amaxNumber().doubleValue(), type == DataType.DOUBLE ? 1e-12 : 1e-5);
      }
    }
  }
  @Test
  void contiguityIgnoresTheStridesOfDimensionsOfSizeOne() {
    // a bias (gradient) view as HandParamInitializer makes it: [1, n] out of the flat vector, stride [n, 1], which
    // ND4J's own stride rule would give as [1, 1]
    INDArray flat = Nd4j.create(DataType.FLOAT, 1, 1000);
    INDArray bias = flat.reshape(flat.length()).get(NDArrayIndex.interval(100, 484)).reshape('c', 1, 384);
    assertTrue(Native.contiguous(bias), Arrays.toString(bias.stride()));
    assertTrue(Native.contiguous(Nd4j.create(DataType.FLOAT, 384, 1)));
    assertTrue(Native.contiguous(Nd4j.create(DataType.FLOAT, new long[] {4, 1, 3}, 'f').dup('c')));
    assertFalse(Native.contiguous(Nd4j.create(DataType.FLOAT, 4, 3).transpose()));
    assertFalse(Native.contiguous(Nd4j.create(DataType.FLOAT, 4, 6).get(NDArrayIndex.all(),
        NDArrayIndex.interval(0, 3))));
    // and the copies through such a view land where the view is
    Buf values = Buf.allocate(DataType.FLOAT, 384);
    for (int i = 0; i < 384; i++) {
      values.set(i, i + 1);
    }
    Native.write(values, bias);
    assertEquals(0, flat.getDouble(0, 99));
    assertEquals(1, flat.getDouble(0, 100));
    assertEquals(384, flat.getDouble(0, 483));
    assertEquals(0, flat.getDouble(0, 484));
    Buf back = Buf.allocate(DataType.FLOAT, 384);
    Native.read(bias, back);
    assertEquals(200, back.get(199));
  }
}
