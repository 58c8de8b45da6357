package io.sparkvlm.core.model;

/**
 * What a Spark task does before it builds or runs a network: filter ND4J's per-op stdout noise
 * ({@link SameDiffStdout}) and set ND4J's thread count for this executor JVM ({@link Nd4jThreads}).
 */
public final class WorkerSetup {
  private WorkerSetup() {}

  public static void prepare(int nd4jThreads) {
    SameDiffStdout.quiet();
    Nd4jThreads.set(nd4jThreads);
  }
}
