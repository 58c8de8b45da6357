package io.sparkvlm.core.model;

import io.sparkvlm.core.runtime.Nd4jBackends;

/**
 * What a Spark task does before it builds or runs a network: filter ND4J's per-op stdout noise
 * ({@link SameDiffStdout}), load ND4J's backend with an error that says why when it cannot
 * ({@link Nd4jBackends}), and set ND4J's thread count for this executor JVM ({@link Nd4jThreads}).
 */
public final class WorkerSetup {
  private WorkerSetup() {}

  public static void prepare(int nd4jThreads) {
    SameDiffStdout.quiet();
    Nd4jBackends.require();
    Nd4jThreads.set(nd4jThreads);
  }
}
