package io.sparkvlm.core.model.layers.kernels;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * A Java-heap array of the network's precision: {@code float[]} for FLOAT networks (training), {@code double[]}
 * for DOUBLE ones (gradient checks). The kernels take Bufs so a layer's code is written once for both precisions;
 * each kernel has one loop per precision. Capacity may exceed what a call uses (buffers are reused).
 */
public final class Buf {
  final float[] f;
  final double[] d;

  private Buf(float[] f, double[] d) {
    this.f = f;
    this.d = d;
  }

  public static Buf allocate(DataType type, int length) {
    return switch (type) {
      case FLOAT -> new Buf(new float[length], null);
      case DOUBLE -> new Buf(null, new double[length]);
      default -> throw new IllegalArgumentException("spark-vlm's layers compute in FLOAT or DOUBLE, not " + type);
    };
  }

  public static Buf of(float[] values) {
    return new Buf(values, null);
  }

  public static Buf of(double[] values) {
    return new Buf(null, values);
  }

  public boolean isFloat() {
    return f != null;
  }

  public DataType dataType() {
    return f != null ? DataType.FLOAT : DataType.DOUBLE;
  }

  public int capacity() {
    return f != null ? f.length : d.length;
  }

  public double get(int i) {
    return f != null ? f[i] : d[i];
  }

  public void set(int i, double v) {
    if (f != null) {
      f[i] = (float) v;
    } else {
      d[i] = v;
    }
  }

  /** Sets the first {@code n} values to zero. */
  public void clear(int n) {
    if (f != null) {
      java.util.Arrays.fill(f, 0, n, 0f);
    } else {
      java.util.Arrays.fill(d, 0, n, 0.0);
    }
  }

  /** {@code n} values from {@code src} at {@code from} to {@code dst} at {@code to} (System.arraycopy). */
  public static void copy(Buf src, int from, Buf dst, int to, int n) {
    if (src.f != null) {
      System.arraycopy(src.f, from, dst.f, to, n);
    } else {
      System.arraycopy(src.d, from, dst.d, to, n);
    }
  }

  /** Copies the first {@code n} values into {@code to}. */
  public void copyTo(Buf to, int n) {
    if (f != null) {
      System.arraycopy(f, 0, to.f, 0, n);
    } else {
      System.arraycopy(d, 0, to.d, 0, n);
    }
  }

  /** The first {@code n} values as doubles (tests, small parameters). */
  public double[] toDoubles(int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = get(i);
    }
    return out;
  }
}
