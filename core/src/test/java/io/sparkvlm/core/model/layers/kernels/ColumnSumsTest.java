package io.sparkvlm.core.model.layers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkvlm.core.model.Nd4jThreads;
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
}
