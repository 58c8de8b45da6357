package io.sparkvlm.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobArgsTest {
  @Test
  void parsesRepeatedConfigsOverridesAndOverwrite() {
    JobArgs a = JobArgs.parse("--config", "a.conf", "--conf", "x.y=1", "--config=b.conf", "--conf=z=2",
        "--overwrite");
    assertThat(a.sources().files()).containsExactly("a.conf", "b.conf");
    assertThat(a.sources().overrides()).containsExactly("x.y=1", "z=2", "output.overwrite=true");
    assertThat(a.help()).isFalse();
  }

  @Test
  void rejectsUnknownAndIncompleteArguments() {
    assertThatThrownBy(() -> JobArgs.parse("--confg", "a.conf")).hasMessageContaining("Unknown argument '--confg'");
    assertThatThrownBy(() -> JobArgs.parse("--config")).hasMessageContaining("--config needs a value");
  }
}
