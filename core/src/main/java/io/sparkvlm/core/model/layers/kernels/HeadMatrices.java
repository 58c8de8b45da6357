package io.sparkvlm.core.model.layers.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One matrix per (batch row, head), [rows, cols] each, lying inside a row-major native array without being copied
 * out of it: matrix (b, h) starts at {@code first + b * batchStride + h * headStride} elements past the array's own
 * offset, and its consecutive rows are {@code ld} elements apart (columns are adjacent). The attention products read
 * and write heads where the projections put them ({@link #tokenMajor}), so no head split or merge copies them.
 */
public record HeadMatrices(INDArray array, int batch, int heads, int rows, int cols, long first, long batchStride,
    long headStride, int ld) {

  public HeadMatrices {
    if (array.ordering() != 'c' || !Native.contiguous(array)) {
      throw new IllegalArgumentException("head matrices need a row-major contiguous array, got "
          + Arrays.toString(array.shape()) + " strides " + Arrays.toString(array.stride()));
    }
    long last = first + (batch - 1) * batchStride + (heads - 1) * headStride + (long) (rows - 1) * ld + cols;
    if (batch < 1 || heads < 1 || rows < 1 || cols < 1 || ld < cols || first < 0 || last > array.length()) {
      throw new IllegalArgumentException("[" + batch + " x " + heads + "] matrices of [" + rows + ", " + cols
          + "] (first " + first + ", strides " + batchStride + "/" + headStride + ", ld " + ld + ") do not fit in "
          + Arrays.toString(array.shape()));
    }
  }

  /**
   * The heads of one part of token-major rows: {@code array} is [batch * rows, parts * heads * dim] (e.g. q | k | v
   * side by side, head after head within each), and head h of part p for batch row b is the [rows, dim] block at
   * rows b * rows.., columns (p * heads + h) * dim..
   */
  public static HeadMatrices tokenMajor(INDArray array, int batch, int heads, int rows, int dim, int part) {
    int width = (int) array.size(array.rank() - 1);
    if (array.length() != (long) batch * rows * width || width % (heads * dim) != 0
        || (part + 1) * heads * dim > width) {
      throw new IllegalArgumentException("part " + part + " of " + heads + " heads of " + dim + " over " + batch
          + " x " + rows + " rows does not fit in " + Arrays.toString(array.shape()));
    }
    return new HeadMatrices(array, batch, heads, rows, dim, (long) part * heads * dim, (long) rows * width, dim,
        width);
  }

  /** Consecutive matrices of a [groups, rows, cols] array (head-major), one group per (batch row, head). */
  public static HeadMatrices groups(INDArray array) {
    if (array.rank() != 3) {
      throw new IllegalArgumentException("groups of matrices need [groups, rows, cols], got "
          + Arrays.toString(array.shape()));
    }
    int rows = (int) array.size(1);
    int cols = (int) array.size(2);
    return new HeadMatrices(array, (int) array.size(0), 1, rows, cols, 0, (long) rows * cols, 0, cols);
  }

  public int count() {
    return batch * heads;
  }

  /** Elements from the array's first element to matrix {@code g = b * heads + h}. */
  long start(int g) {
    return first + (g / heads) * batchStride + (g % heads) * headStride;
  }

  /** The same elements as an ND4J view [batch, heads, rows, cols] (for backends without direct BLAS calls). */
  INDArray view() {
    return Nd4j.create(array.data(), new long[] {batch, heads, rows, cols},
        new long[] {batchStride, headStride, ld, 1}, array.offset() + first, 'c');
  }
}
