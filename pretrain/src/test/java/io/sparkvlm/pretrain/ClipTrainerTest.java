package io.sparkvlm.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClipTrainerTest {
  @Test
  void aSlicePassingAMultipleTriggersEvenWhenItEndsPastIt() {
    assertThat(ClipTrainer.crossed(100, 10, 50)).isTrue();   // lands on it
    assertThat(ClipTrainer.crossed(105, 10, 50)).isTrue();   // passes it: 95 -> 105
    assertThat(ClipTrainer.crossed(95, 10, 50)).isFalse();   // 85 -> 95
    assertThat(ClipTrainer.crossed(50, 5, 50)).isTrue();
    assertThat(ClipTrainer.crossed(51, 1, 50)).isFalse();
  }

  @Test
  void durationsReadLikeAClock() {
    assertThat(ClipTrainer.duration(42)).isEqualTo("42s");
    assertThat(ClipTrainer.duration(125)).isEqualTo("2m05s");
    assertThat(ClipTrainer.duration(7322)).isEqualTo("2h02m");
    assertThat(ClipTrainer.duration(Double.NaN)).isEqualTo("?");
  }
}
