package io.sparkvlm.core.model.layers.kernels;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies between ND4J arrays (native memory, what gemm reads and writes) and {@link Buf}s (the Java heap, where
 * the kernels run): bulk copies of the array's elements in row-major ('c') order. A C-contiguous array (or view)
 * is copied directly; anything else through a C-ordered copy.
 */
public final class Native {
  private Native() {}

  /**
   * Whether {@code a}'s elements lie one after another in row-major order (a view at an offset is fine). The stride
   * of a dimension of size 1 does not matter: ND4J gives a [1, n] row [n, 1] and its own stride rule says [1, 1], so
   * comparing with {@code Nd4j.getStrides} called every bias and bias gradient view non-contiguous.
   */
  public static boolean contiguous(INDArray a) {
    long[] shape = a.shape();
    long[] stride = a.stride();
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  /** The first {@code a.length()} values of {@code dst} := a, row-major. */
  public static void read(INDArray a, Buf dst) {
    long profiled = OpProfile.start();
    try {
      INDArray src = contiguous(a) ? a : a.dup('c');
      int n = (int) src.length();
      int offset = (int) src.offset();
      checkType(src, dst);
      if (dst.f != null) {
        src.data().asNioFloat().get(offset, dst.f, 0, n);
      } else {
        src.data().asNioDouble().get(offset, dst.d, 0, n);
      }
    } finally {
      OpProfile.stop("native <-> heap copies", profiled);
    }
  }

  /** a := the first {@code a.length()} values of {@code src}, row-major. */
  public static void write(Buf src, INDArray a) {
    long profiled = OpProfile.start();
    try {
      if (!contiguous(a)) {
        INDArray tmp = a.dup('c');
        write(src, tmp);
        a.assign(tmp);
        return;
      }
      checkType(a, src);
      int n = (int) a.length();
      int offset = (int) a.offset();
      if (src.f != null) {
        FloatBuffer b = a.data().asNioFloat();
        b.put(offset, src.f, 0, n);
      } else {
        DoubleBuffer b = a.data().asNioDouble();
        b.put(offset, src.d, 0, n);
      }
    } finally {
      OpProfile.stop("native <-> heap copies", profiled);
    }
  }

  private static void checkType(INDArray a, Buf b) {
    if (a.dataType() != b.dataType()) {
      throw new IllegalArgumentException("array of " + a.dataType() + " with a " + b.dataType() + " buffer");
    }
  }
}
