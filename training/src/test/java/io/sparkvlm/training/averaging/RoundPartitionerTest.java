package io.sparkvlm.training.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RoundPartitionerTest {
  /** Steps 3..9 of an epoch, 2 workers, averaging every 3 steps: rounds [3,6), [6,9), [9,10). */
  @Test
  void eachRoundGivesEveryWorkerItsMinibatchesOfThatRoundInStepOrder() {
    RoundPartitioner p = new RoundPartitioner(3, 10, 2, 3);
    assertThat(p.rounds()).isEqualTo(3);
    assertThat(p.numPartitions()).isEqualTo(6);
    assertThat(List.of(p.roundStart(0), p.roundEnd(0), p.roundStart(2), p.roundEnd(2))).containsExactly(3, 6, 9, 10);
    assertThat(p.firstBatch()).isEqualTo(6);
    assertThat(p.endBatch()).isEqualTo(20);
    Map<Integer, List<Long>> byPartition = new TreeMap<>();
    for (long b = p.firstBatch(); b < p.endBatch(); b++) {
      byPartition.computeIfAbsent(p.getPartition(b), k -> new ArrayList<>()).add(b);
    }
    // worker 0 takes the even minibatches (the first of each step), worker 1 the odd ones
    assertThat(byPartition).containsExactly(
        Map.entry(0, List.of(6L, 8L, 10L)), Map.entry(1, List.of(7L, 9L, 11L)),
        Map.entry(2, List.of(12L, 14L, 16L)), Map.entry(3, List.of(13L, 15L, 17L)),
        Map.entry(4, List.of(18L)), Map.entry(5, List.of(19L)));
    for (int partition = 0; partition < p.numPartitions(); partition++) {
      assertThat(p.roundOf(partition)).isEqualTo(partition / 2);
    }
  }

  @Test
  void aResumedEpochCutsTheRestIntoTheRoundsOfTheUninterruptedRun() {
    RoundPartitioner whole = new RoundPartitioner(0, 10, 2, 3);
    RoundPartitioner resumed = new RoundPartitioner(6, 10, 2, 3);   // resumed from the checkpoint at step 6
    for (int r = 0; r < resumed.rounds(); r++) {
      assertThat(List.of(resumed.roundStart(r), resumed.roundEnd(r)))
          .isEqualTo(List.of(whole.roundStart(r + 2), whole.roundEnd(r + 2)));
    }
  }

  @Test
  void refusesMinibatchesOutsideItsStepsAndEmptyRanges() {
    RoundPartitioner p = new RoundPartitioner(3, 10, 2, 3);
    assertThatThrownBy(() -> p.getPartition(5L)).hasMessageContaining("Minibatch 5").hasMessageContaining("3 to 10");
    assertThatThrownBy(() -> p.getPartition(20L)).hasMessageContaining("Minibatch 20");
    assertThatThrownBy(() -> new RoundPartitioner(4, 4, 2, 3)).hasMessageContaining("No rounds");
    assertThat(p).isEqualTo(new RoundPartitioner(3, 10, 2, 3)).isNotEqualTo(new RoundPartitioner(3, 10, 2, 2));
  }
}
