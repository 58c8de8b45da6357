package io.sparkvlm.core.testing;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark sessions tests share, one per test JVM at a time (Spark allows one SparkContext per JVM):
 * {@link #local()} is {@code local[2]}; {@link #localCluster()} is {@code local-cluster[2,1,1024]} with two real
 * executor JVMs. Asking for the other kind stops the current one first.
 */
public final class SparkTestSessions {
  private static SparkSession current;
  private static String currentMaster;

  private SparkTestSessions() {}

  public static synchronized SparkSession local() {
    return ensure("local[2]", base("local[2]"));
  }

  public static synchronized SparkSession localCluster() {
    String master = LocalClusterHarness.MASTER;
    SparkSession session = ensure(master, LocalClusterHarness.configure(base(master)));
    awaitExecutors(session, 2);
    return session;
  }

  /** Stops the shared session, e.g. before a test that opens its own through production code. */
  public static synchronized void stop() {
    if (current != null) {
      current.stop();
      current = null;
      currentMaster = null;
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  private static SparkSession ensure(String master, SparkConf conf) {
    if (current != null && master.equals(currentMaster) && !current.sparkContext().isStopped()) {
      return current;
    }
    stop();
    current = SparkSession.builder().config(conf).getOrCreate();
    currentMaster = master;
    return current;
  }

  /** Waits until {@code n} executors have registered, so work spreads over all of them. */
  private static void awaitExecutors(SparkSession session, int n) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
    while (session.sparkContext().statusTracker().getExecutorInfos().length < n + 1) { // + the driver
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Only " + (session.sparkContext().statusTracker().getExecutorInfos().length
            - 1) + " of " + n + " executors registered within 120 s; see the executor logs under the worker"
            + " folders in SPARK_HOME/work");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static SparkConf base(String master) {
    return new SparkConf()
        .setMaster(master)
        .setAppName("spark-vlm-tests")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.shuffle.partitions", "4")
        .set("spark.default.parallelism", "4")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1");
  }
}
