package io.sparkvlm.interop.safetensors;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types spark-vlm reads and writes, by their safetensors names. */
public enum DType {
  F32(4), F16(2), BF16(2), F64(8), I32(4), I64(8);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  public boolean isFloat() {
    return this == F32 || this == F16 || this == BF16 || this == F64;
  }

  /** The type named {@code name} in a header, or an error naming {@code tensor} and the names known. */
  static DType of(String name, String tensor) {
    for (DType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    throw new SafetensorsError("tensor '" + tensor + "': unknown dtype '" + name + "' (spark-vlm reads "
        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
  }
}
