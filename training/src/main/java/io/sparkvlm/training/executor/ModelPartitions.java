package io.sparkvlm.training.executor;

import io.sparkvlm.core.model.WorkerSetup;
import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model work over a distributed dataset, where the items never come to the driver (captions for every web image,
 * scores for every text): each partition loads the broadcast model once, hands its items to a function in batches,
 * and emits one result per item, in order, a batch at a time. A partition with no items loads nothing. Each partition
 * logs its progress (items done, items/s) at most every {@link #LOG_EVERY_SECONDS} and when it ends.
 */
public final class ModelPartitions {
  private static final Logger LOG = LoggerFactory.getLogger(ModelPartitions.class);
  /** Seconds between a partition's progress lines. */
  public static final int LOG_EVERY_SECONDS = 30;

  private ModelPartitions() {}

  /** Prepares the loaded model once per partition (e.g. splits it for generation). */
  @FunctionalInterface
  public interface Preparation<M> extends Serializable {
    M prepare(ComputationGraph model) throws Exception;
  }

  /** What one batch of items becomes on an executor, given the prepared model: one result per item, in order. */
  @FunctionalInterface
  public interface PreparedFunction<M, T, R> extends Serializable {
    List<R> apply(M prepared, List<T> batch) throws Exception;
  }

  /** {@code work} names the work in progress lines, e.g. "filter: synthetic captions (images)". */
  public static <M, T, R> JavaRDD<R> map(String work, JavaRDD<T> items, Broadcast<byte[]> model, int batch,
      int threads, Preparation<M> prepare, PreparedFunction<M, T, R> f) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1, got " + batch);
    }
    return items.mapPartitions((Iterator<T> it) -> new Batched<>(work, it, batch, threads, model, prepare, f));
  }

  /**
   * A partition's results, computed a batch at a time as they are consumed: a partition of many images never
   * holds more than one batch of results; the model is loaded when the first batch is needed.
   */
  private static final class Batched<M, T, R> implements Iterator<R> {
    private final String work;
    private final Iterator<T> items;
    private final int batch;
    private final int threads;
    private final Broadcast<byte[]> model;
    private final Preparation<M> prepare;
    private final PreparedFunction<M, T, R> f;
    private M prepared;
    private Iterator<R> current = Collections.emptyIterator();
    private long done;
    private long startNanos;
    private long lastLogNanos;

    Batched(String work, Iterator<T> items, int batch, int threads, Broadcast<byte[]> model, Preparation<M> prepare,
        PreparedFunction<M, T, R> f) {
      this.work = work;
      this.items = items;
      this.batch = batch;
      this.threads = threads;
      this.model = model;
      this.prepare = prepare;
      this.f = f;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && items.hasNext()) {
        current = next(nextBatch()).iterator();
      }
      return current.hasNext();
    }

    @Override
    public R next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    private List<T> nextBatch() {
      List<T> pending = new ArrayList<>(batch);
      while (pending.size() < batch && items.hasNext()) {
        pending.add(items.next());
      }
      return pending;
    }

    private List<R> next(List<T> pending) {
      try {
        if (prepared == null) {
          WorkerSetup.prepare(threads);
          prepared = prepare.prepare(
              ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), false));
          startNanos = System.nanoTime();
          lastLogNanos = startNanos;
        }
        List<R> results = f.apply(prepared, pending);
        if (results.size() != pending.size()) {
          throw new IllegalStateException(results.size() + " results for a batch of " + pending.size());
        }
        done += results.size();
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_SECONDS * 1_000_000_000L || !items.hasNext()) {
          lastLogNanos = now;
          double seconds = (now - startNanos) / 1e9;
          LOG.info("{}: partition {}: {} items{} in {} s ({} items/s)", work, TaskContext.getPartitionId(), done,
              items.hasNext() ? " so far" : ", done", String.format("%.0f", seconds),
              String.format("%.2f", done / Math.max(1e-9, seconds)));
        }
        return results;
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("model work on a batch of " + pending.size() + " failed: " + e, e);
      }
    }
  }
}
