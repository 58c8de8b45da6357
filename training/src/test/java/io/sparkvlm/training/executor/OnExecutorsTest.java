package io.sparkvlm.training.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.testing.SparkTestSessions;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

class OnExecutorsTest {
  @Test
  void resultsComeBackInTheItemsOrderAndEachTaskSeesItsItemsTogether() {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSessions.local().sparkContext());
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      items.add(i);
    }
    // each task tags its results with its first item and its size: about 5 items per task, in order
    List<String> out = OnExecutors.map(sc, items, 5, mine -> mine.stream().map(i -> i + "@" + mine.get(0) + "/"
        + mine.size()).toList());
    assertThat(out).hasSize(23);
    java.util.Set<String> tasks = new java.util.TreeSet<>();
    for (int i = 0; i < 23; i++) {
      String[] parts = out.get(i).split("[@/]");
      assertThat(Integer.parseInt(parts[0])).isEqualTo(i);
      int first = Integer.parseInt(parts[1]);
      int size = Integer.parseInt(parts[2]);
      assertThat(first).isLessThanOrEqualTo(i);
      assertThat(i).isLessThan(first + size);                       // a task's items are consecutive
      assertThat(size).isLessThanOrEqualTo(5);
      tasks.add(parts[1]);
    }
    assertThat(tasks).hasSize(5);                                     // ceil(23 / 5) tasks
  }
}
