package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jThreadsTest {
  private final int before = Nd4jThreads.current();

  @AfterEach
  void restore() {
    Nd4jThreads.set(before);
  }

  @Test
  void workRunsWithTheCountAskedAndTheCountBeforeComesBack() {
    Nd4jThreads.set(1);
    int inside = Nd4jThreads.during(2, () -> Nd4jThreads.current() * 100 + Nd4j.factory().blas().getMaxThreads());
    assertThat(inside).isEqualTo(202);
    assertThat(Nd4jThreads.current()).isEqualTo(1);
    assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);
  }

  @Test
  void theCountComesBackWhenTheWorkFails() {
    Nd4jThreads.set(1);
    assertThatThrownBy(() -> Nd4jThreads.during(2, () -> {
      throw new IllegalStateException("boom");
    })).hasMessage("boom");
    assertThat(Nd4jThreads.current()).isEqualTo(1);
  }
}
