package io.sparkvlm.core.model.layers;

import java.util.Arrays;

/**
 * One parameter of a hand-written layer: name, shape (row-major), whether DL4J treats it as a weight or a bias
 * (for a layer's bias updater), whether weight decay applies, and its initialisation {@code constant + std * N(0, 1)}.
 * A layer lists its parameters in their flat order: weights first, then biases, each in the order they were added;
 * the layout SameDiff layers used, so checkpoints of those layers load unchanged.
 */
public record ParamSpec(String name, long[] shape, boolean bias, boolean decayed, double constant, double std) {

  /** A weight matrix: decayed, N(0, std). */
  public static ParamSpec matrix(String name, double std, long... shape) {
    return new ParamSpec(name, shape, false, true, 0, std);
  }

  /** An embedding, position table, class token or query set: not decayed, N(0, std). */
  public static ParamSpec embedding(String name, double std, long... shape) {
    return new ParamSpec(name, shape, false, false, 0, std);
  }

  /** A norm gain: not decayed, ones. */
  public static ParamSpec gain(String name, long... shape) {
    return new ParamSpec(name, shape, false, false, 1, 0);
  }

  /** A bias: not decayed, zeros. */
  public static ParamSpec bias(String name, long... shape) {
    return new ParamSpec(name, shape, true, false, 0, 0);
  }

  /** A weight-kind parameter with a constant start (a logit scale): not decayed. */
  public static ParamSpec constant(String name, double value, long... shape) {
    return new ParamSpec(name, shape, false, false, value, 0);
  }

  public long length() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParamSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape) && p.bias == bias
        && p.decayed == decayed && p.constant == constant && p.std == std;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
