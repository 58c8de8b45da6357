package io.sparkvlm.training.executor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Work on Spark executors over a list on the driver: the items go out {@code perTask} to a task, each task applies
 * a function to its items (in order, all at once, so it can load a model once and batch), and the results come back
 * in the items' order.
 */
public final class OnExecutors {
  private OnExecutors() {}

  /** What a task does with its items: one result per item, in the same order. */
  @FunctionalInterface
  public interface TaskFunction<T, R> extends Serializable {
    List<R> apply(List<T> items) throws Exception;
  }

  public static <T, R> List<R> map(JavaSparkContext sc, List<T> items, int perTask, TaskFunction<T, R> f) {
    List<Tuple2<Integer, T>> indexed = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      indexed.add(new Tuple2<>(i, items.get(i)));
    }
    int slices = Math.max(1, (items.size() + perTask - 1) / perTask);
    List<Tuple2<Integer, R>> out = sc.parallelize(indexed, slices)
        .mapPartitions((Iterator<Tuple2<Integer, T>> it) -> task(it, f).iterator())
        .collect();
    List<R> result = new ArrayList<>(Collections.nCopies(items.size(), (R) null));
    for (Tuple2<Integer, R> r : out) {
      result.set(r._1(), r._2());
    }
    return result;
  }

  private static <T, R> List<Tuple2<Integer, R>> task(Iterator<Tuple2<Integer, T>> it, TaskFunction<T, R> f)
      throws Exception {
    List<Integer> ids = new ArrayList<>();
    List<T> mine = new ArrayList<>();
    it.forEachRemaining(t -> {
      ids.add(t._1());
      mine.add(t._2());
    });
    List<Tuple2<Integer, R>> out = new ArrayList<>();
    if (mine.isEmpty()) {
      return out;
    }
    List<R> results = f.apply(mine);
    for (int i = 0; i < results.size(); i++) {
      out.add(new Tuple2<>(ids.get(i), results.get(i)));
    }
    return out;
  }
}
