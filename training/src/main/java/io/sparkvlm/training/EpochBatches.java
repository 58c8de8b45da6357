package io.sparkvlm.training;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * An epoch's minibatches, built on the executors: items in the order of a hash of (seed, epoch, key), which does
 * not depend on partitioning (a resumed run sees the same batches), cut into batches of exactly
 * {@code batchSize} items keyed 0..usableBatches-1; the rest of the epoch is left out.
 */
public final class EpochBatches {
  private EpochBatches() {}

  /** A training item with a stable key (the pair's or the text's). */
  public interface Keyed extends Serializable {
    String key();
  }

  public static <T extends Keyed> JavaPairRDD<Long, List<T>> of(JavaRDD<T> items, long seed, int epoch, int batchSize,
      long usableBatches) {
    return sorted(ordered(items, seed, epoch, batchSize, 0, usableBatches).groupByKey(), seed, epoch);
  }

  /**
   * The epoch's minibatches {@code firstBatch} (included) to {@code endBatch} (excluded), keyed as by
   * {@link #of(JavaRDD, long, int, int, long)}, in the partitions {@code partitioner} gives their keys.
   */
  public static <T extends Keyed> JavaPairRDD<Long, List<T>> of(JavaRDD<T> items, long seed, int epoch, int batchSize,
      long firstBatch, long endBatch, Partitioner partitioner) {
    return sorted(ordered(items, seed, epoch, batchSize, firstBatch, endBatch).groupByKey(partitioner), seed, epoch);
  }

  /** Each item keyed by its minibatch, for the minibatches {@code firstBatch} to {@code endBatch}. */
  private static <T extends Keyed> JavaPairRDD<Long, T> ordered(JavaRDD<T> items, long seed, int epoch,
      int batchSize, long firstBatch, long endBatch) {
    long first = firstBatch * batchSize;
    long end = endBatch * batchSize;
    return items.mapToPair(p -> new Tuple2<>(order(seed, epoch, p.key()), p))
        .sortByKey()
        .values()
        .zipWithIndex()
        .filter(t -> t._2() >= first && t._2() < end)
        .mapToPair(t -> new Tuple2<>(t._2() / batchSize, t._1()));
  }

  private static <T extends Keyed> JavaPairRDD<Long, List<T>> sorted(JavaPairRDD<Long, Iterable<T>> grouped,
      long seed, int epoch) {
    return grouped.mapValues(batch -> {
      List<T> list = new ArrayList<>();
      batch.forEach(list::add);
      list.sort(Comparator.comparingLong(p -> order(seed, epoch, p.key())));
      return list;
    });
  }

  /** A 64-bit hash of (seed, epoch, key): FNV-1a over the key, mixed with SplittableRandom's finaliser. */
  public static long order(long seed, int epoch, String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return new SplittableRandom(h ^ seed * 0x9E3779B97F4A7C15L ^ (long) epoch * 0xC2B2AE3D27D4EB4FL).nextLong();
  }
}
