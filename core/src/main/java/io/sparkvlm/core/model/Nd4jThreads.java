package io.sparkvlm.core.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's thread count for ops and BLAS in this JVM. ND4J defaults to every core of the machine for each network,
 * so several Spark tasks training at once in one executor oversubscribe the cores; a stage sets
 * {@code cores / tasks per executor} here. It is the native library's per-process setting, so it applies to the
 * whole JVM.
 */
public final class Nd4jThreads {
  private Nd4jThreads() {}

  /** Sets {@code threads} (> 0) for ND4J's ops and its BLAS; 0 leaves ND4J's default. */
  public static void set(int threads) {
    if (threads <= 0) {
      return;
    }
    if (Nd4j.getEnvironment().maxThreads() != threads) {
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
    }
    if (Nd4j.factory().blas().getMaxThreads() != threads) {
      Nd4j.factory().blas().setMaxThreads(threads);
    }
  }
}
