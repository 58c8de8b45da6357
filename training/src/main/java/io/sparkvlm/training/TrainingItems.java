package io.sparkvlm.training;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * A stage's training items on the executors, persisted while it trains ({@code MEMORY_AND_DISK_SER}: images stay
 * encoded), together with the broadcasts made to build them; closing unpersists the items and destroys the
 * broadcasts. Use in try-with-resources around {@link TrainingRun#train}.
 */
public final class TrainingItems<T> implements AutoCloseable {
  private final JavaRDD<T> rdd;
  private final List<Broadcast<?>> broadcasts;

  private TrainingItems(JavaRDD<T> rdd, List<Broadcast<?>> broadcasts) {
    this.rdd = rdd;
    this.broadcasts = broadcasts;
  }

  /** Persists {@code items}; {@code broadcasts} are destroyed with them. */
  public static <T> TrainingItems<T> persist(JavaRDD<T> items, Broadcast<?>... broadcasts) {
    return new TrainingItems<>(items.persist(StorageLevel.MEMORY_AND_DISK_SER()), new ArrayList<>(List.of(broadcasts)));
  }

  public JavaRDD<T> rdd() {
    return rdd;
  }

  @Override
  public void close() {
    rdd.unpersist(false);
    broadcasts.forEach(b -> b.destroy());
  }
}
