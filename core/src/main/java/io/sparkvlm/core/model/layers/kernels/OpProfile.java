package io.sparkvlm.core.model.layers.kernels;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time spent in each kernel (matrix products included), summed over every call in this JVM while switched on:
 * what {@code vlm bench model --profile} prints per op. A kernel called from another (the column sums inside a
 * norm's backward) counts in the outer one only. Off by default; then a kernel pays one volatile read.
 */
public final class OpProfile {
  private static volatile boolean enabled;
  private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();
  private static final Map<String, LongAdder> CALLS = new ConcurrentHashMap<>();
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private OpProfile() {}

  public static void enable(boolean on) {
    enabled = on;
  }

  public static void reset() {
    NANOS.clear();
    CALLS.clear();
  }

  /** A start time; 0 when profiling is off, -1 inside another kernel. */
  static long start() {
    if (!enabled) {
      return 0;
    }
    return DEPTH.get()[0]++ == 0 ? System.nanoTime() : -1;
  }

  static void stop(String op, long start) {
    if (start == 0) {
      return;
    }
    DEPTH.get()[0]--;
    if (start > 0) {
      NANOS.computeIfAbsent(op, k -> new LongAdder()).add(System.nanoTime() - start);
      CALLS.computeIfAbsent(op, k -> new LongAdder()).increment();
    }
  }

  /** Seconds per op since the last reset. */
  public static Map<String, Double> seconds() {
    Map<String, Double> out = new TreeMap<>();
    NANOS.forEach((k, v) -> out.put(k, v.sum() / 1e9));
    return out;
  }

  /** Calls per op since the last reset. */
  public static Map<String, Long> calls() {
    Map<String, Long> out = new TreeMap<>();
    CALLS.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
