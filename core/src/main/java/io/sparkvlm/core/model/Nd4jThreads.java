package io.sparkvlm.core.model;

import java.util.function.Supplier;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's thread count for ops and BLAS in this JVM, and the thread count spark-vlm's own layer kernels use. ND4J
 * defaults to every core of the machine for each network, so several Spark tasks training at once in one executor
 * oversubscribe the cores; a stage sets {@code cores / tasks per executor} here. It is the native library's
 * per-process setting, so it applies to the whole JVM; it is recorded here too because ND4J 1.0.0-M2.1 reports (and
 * for its own element-wise ops keeps) its default whatever {@code setMaxThreads} is given; the BLAS setting holds.
 */
public final class Nd4jThreads {
  private static volatile int threads = Runtime.getRuntime().availableProcessors();

  private Nd4jThreads() {}

  /** Sets {@code threads} (> 0) for ND4J's ops, its BLAS and the layer kernels; 0 leaves the defaults. */
  public static void set(int count) {
    if (count <= 0) {
      return;
    }
    threads = count;
    if (Nd4j.getEnvironment().maxThreads() != count) {
      Nd4j.getEnvironment().setMaxThreads(count);
      Nd4j.getEnvironment().setMaxMasterThreads(count);
    }
    if (Nd4j.factory().blas().getMaxThreads() != count) {
      Nd4j.factory().blas().setMaxThreads(count);
    }
  }

  /**
   * {@code work}'s result, computed with {@code count} threads, the count before restored after it. For work the
   * driver does while no task runs (evaluation between training rounds): in Spark local mode the driver shares its
   * JVM, and so this setting, with executors that train on one thread each.
   */
  public static <T> T during(int count, Supplier<T> work) {
    int before = threads;
    set(count);
    try {
      return work.get();
    } finally {
      set(before);
    }
  }

  /**
   * The environment's {@code OPENBLAS_THREAD_TIMEOUT}, for benchmark reports: how long (2^N cycles) OpenBLAS's idle
   * threads spin after a product before they sleep. OpenBLAS reads it once, when it loads; {@code ./vlm} sets 4.
   */
  public static String openBlasThreadTimeout() {
    return System.getenv().getOrDefault("OPENBLAS_THREAD_TIMEOUT", "unset (OpenBLAS's default, 28)");
  }

  /** The thread count last set (every core until then). */
  public static int current() {
    return threads;
  }
}
