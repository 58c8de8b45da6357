package io.sparkvlm.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.testing.SparkTestSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** An epoch's minibatches depend on (seed, epoch, keys) only: not on partitioning, so a resumed run sees the same. */
class EpochBatchesTest {
  record Item(String key) implements EpochBatches.Keyed {}

  static Map<Long, List<String>> batches(int partitions, long seed, int epoch) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSessions.local().sparkContext());
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      items.add(new Item("pair-" + i));
    }
    Map<Long, List<String>> out = new TreeMap<>();
    EpochBatches.of(sc.parallelize(items, partitions), seed, epoch, 8, 6).collect()
        .forEach(t -> out.put(t._1(), t._2().stream().map(Item::key).toList()));
    return out;
  }

  @Test
  void batchesAreFixedBySeedEpochAndKeysAlone() {
    Map<Long, List<String>> a = batches(1, 3, 0);
    assertThat(a).hasSize(6).allSatisfy((k, v) -> assertThat(v).hasSize(8));  // 48 of 50 used, 2 left out
    assertThat(batches(5, 3, 0)).isEqualTo(a);
    assertThat(batches(1, 3, 1)).isNotEqualTo(a);
    assertThat(batches(1, 4, 0)).isNotEqualTo(a);
  }
}
