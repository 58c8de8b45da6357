package io.sparkvlm.core.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line per running Spark stage every few seconds: tasks done out of total, task rate and an ETA. This is
 * the readable replacement for Spark's console progress bar, which garbles logs under Airflow.
 */
public final class StageProgressLogger extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger("io.sparkvlm.progress");

  private record Stage(String name, int tasks, long startNanos, AtomicInteger done) {}

  private final Map<Integer, Stage> running = new ConcurrentHashMap<>();

  private StageProgressLogger() {}

  static void attach(SparkContext sc, int intervalSeconds) {
    StageProgressLogger listener = new StageProgressLogger();
    sc.addSparkListener(listener);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spark-vlm-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(listener::logRunning, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    var info = event.stageInfo();
    running.put(info.stageId(), new Stage(info.name(), info.numTasks(), System.nanoTime(), new AtomicInteger()));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    Stage stage = running.get(event.stageId());
    if (stage != null && event.taskInfo().successful()) {
      stage.done().incrementAndGet();
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    running.remove(event.stageInfo().stageId());
  }

  private void logRunning() {
    running.forEach((id, stage) -> {
      int done = stage.done().get();
      double seconds = (System.nanoTime() - stage.startNanos()) / 1e9;
      double rate = done / Math.max(seconds, 1e-9);
      String eta = done == 0 ? "?" : String.format("%.0fs", (stage.tasks() - done) / rate);
      LOG.info("stage {} ({}): {}/{} tasks, {} tasks/s, ETA {}", id, stage.name(), done, stage.tasks(),
          String.format("%.2f", rate), eta);
    });
  }
}
