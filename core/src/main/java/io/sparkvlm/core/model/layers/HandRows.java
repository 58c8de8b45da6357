package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.Native;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small helpers the runtime layers share: arrays as matrices, parameters and gradients through heap buffers. */
final class HandRows {
  private HandRows() {}

  /** {@code a} as a [rows, cols] row-major matrix: a view when its elements are contiguous, else a copy. */
  static INDArray matrix(INDArray a, long rows, long cols) {
    INDArray c = Native.contiguous(a) ? a : a.dup('c');
    return c.reshape('c', rows, cols);
  }

  /** A parameter's values in a thread temporary (biases, gains: small). */
  static Buf param(INDArray param, String name) {
    return Arena.temporaries().read("param/" + name, param);
  }

  /** A temporary heap buffer for a gradient of {@code length} values. */
  static Buf gradientBuffer(DataType type, long length) {
    return Arena.temporaries().buf("gradient", type, length);
  }

  /** Copies {@code values} into a gradient view. */
  static void setGradient(INDArray view, Buf values) {
    Native.write(values, view);
  }

  /** The mask [batch, time] as a heap buffer of the network's precision, or null. */
  static Buf mask(INDArray mask, DataType type, String name) {
    return mask == null ? null : Arena.temporaries().read(name, mask.castTo(type));
  }
}
