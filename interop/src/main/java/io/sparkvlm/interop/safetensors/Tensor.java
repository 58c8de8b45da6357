package io.sparkvlm.interop.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor as a safetensors file holds it: element type, shape (row-major) and the raw little-endian bytes.
 * {@link #floats} and {@link #ints} convert; {@link #ofFloats} encodes, rounding to nearest even for F16 and BF16
 * (as PyTorch's {@code .to(torch.float16)} and {@code .to(torch.bfloat16)} do).
 */
public record Tensor(String name, DType dtype, long[] shape, byte[] data) {

  public Tensor {
    long expected = elements(shape) * dtype.bytes();
    if (data.length != expected) {
      throw new SafetensorsError("tensor '" + name + "': " + data.length + " bytes, its dtype " + dtype + " and shape "
          + Arrays.toString(shape) + " need " + expected);
    }
  }

  /** The number of elements of {@code shape} (1 for a scalar, shape []). */
  public static long elements(long[] shape) {
    long n = 1;
    for (long s : shape) {
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  public long elements() {
    return elements(shape);
  }

  /** The values as floats (F64 and integers converted). */
  public float[] floats() {
    int n = Math.toIntExact(elements());
    float[] out = new float[n];
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      out[i] = switch (dtype) {
        case F32 -> b.getFloat();
        case F16 -> halfToFloat(b.getShort());
        case BF16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        case F64 -> (float) b.getDouble();
        case I32 -> b.getInt();
        case I64 -> b.getLong();
      };
    }
    return out;
  }

  /** The values of an integer tensor. */
  public long[] ints() {
    if (dtype != DType.I32 && dtype != DType.I64) {
      throw new SafetensorsError("tensor '" + name + "' is " + dtype + ", not an integer tensor");
    }
    int n = Math.toIntExact(elements());
    long[] out = new long[n];
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      out[i] = dtype == DType.I32 ? b.getInt() : b.getLong();
    }
    return out;
  }

  /** {@code values} stored as {@code dtype} (a float type). */
  public static Tensor ofFloats(String name, DType dtype, long[] shape, float[] values) {
    if (!dtype.isFloat()) {
      throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is not a float type");
    }
    if (values.length != elements(shape)) {
      throw new IllegalArgumentException("tensor '" + name + "': " + values.length + " values for shape "
          + Arrays.toString(shape));
    }
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.bytes())).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (dtype) {
        case F32 -> b.putFloat(v);
        case F16 -> b.putShort(floatToHalf(v));
        case BF16 -> b.putShort(floatToBfloat16(v));
        case F64 -> b.putDouble(v);
        default -> throw new IllegalStateException();
      }
    }
    return new Tensor(name, dtype, shape.clone(), b.array());
  }

  static float halfToFloat(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) {
      float v = mant * 0x1p-24f;                                   // zero or subnormal
      return sign != 0 ? -v : v;
    }
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // infinity or NaN
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);                               // too large: infinity
    }
    if (e <= 0) {                                                   // a half subnormal, or zero
      if (e < -10) {
        return (short) sign;
      }
      int full = mant | 0x800000;
      int shift = 14 - e;
      int half = full >>> shift;
      int rest = full & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++;                                                       // a carry into the exponent is right too
    }
    return (short) (sign | half);
  }

  static short floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape)
        && Arrays.equals(t.data, data);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
