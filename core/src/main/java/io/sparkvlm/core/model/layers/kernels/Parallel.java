package io.sparkvlm.core.model.layers.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;
import io.sparkvlm.core.model.Nd4jThreads;

/**
 * Runs a kernel's rows on as many threads as ND4J is given in this JVM ({@link Nd4jThreads}): with one thread
 * (a Spark task per core) everything stays on the caller's thread; with more, the rows are split into that many
 * contiguous ranges, the caller taking the first.
 */
public final class Parallel {
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, CORES), pool -> {
    var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
    t.setDaemon(true);
    t.setName("spark-vlm-kernels-" + t.getPoolIndex());
    return t;
  }, null, false);

  private Parallel() {}

  /** A range of rows [from, to). */
  @FunctionalInterface
  public interface Rows {
    void run(int from, int to);
  }

  /** The threads kernels use now. */
  public static int threads() {
    return Math.max(1, Math.min(CORES, Nd4jThreads.current()));
  }

  /** {@code body} over rows [0, n), in ranges of at least {@code grain} rows. */
  public static void rows(int n, int grain, Rows body) {
    int parts = Math.max(1, Math.min(threads(), n / Math.max(1, grain)));
    if (parts == 1) {
      body.run(0, n);
      return;
    }
    List<ForkJoinTask<?>> tasks = new ArrayList<>(parts - 1);
    for (int p = 1; p < parts; p++) {
      int from = (int) ((long) n * p / parts);
      int to = (int) ((long) n * (p + 1) / parts);
      tasks.add(POOL.submit(() -> body.run(from, to)));
    }
    body.run(0, (int) ((long) n / parts));
    for (ForkJoinTask<?> t : tasks) {
      t.join();
    }
  }
}
