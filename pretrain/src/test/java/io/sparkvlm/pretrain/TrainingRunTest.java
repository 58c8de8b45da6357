package io.sparkvlm.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrainingRunTest {
  @Test
  void aSlicePassingAMultipleTriggersEvenWhenItEndsPastIt() {
    assertThat(TrainingRun.crossed(100, 10, 50)).isTrue();   // lands on it
    assertThat(TrainingRun.crossed(105, 10, 50)).isTrue();   // passes it: 95 -> 105
    assertThat(TrainingRun.crossed(95, 10, 50)).isFalse();   // 85 -> 95
    assertThat(TrainingRun.crossed(50, 5, 50)).isTrue();
    assertThat(TrainingRun.crossed(51, 1, 50)).isFalse();
  }

  @Test
  void durationsReadLikeAClock() {
    assertThat(TrainingRun.duration(42)).isEqualTo("42s");
    assertThat(TrainingRun.duration(125)).isEqualTo("2m05s");
    assertThat(TrainingRun.duration(7322)).isEqualTo("2h02m");
    assertThat(TrainingRun.duration(Double.NaN)).isEqualTo("?");
  }
}
