package io.sparkvlm.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.config.ConfigError;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SynthConfigTest {
  @Test
  void defaultsAreValid() {
    SynthConfig c = Worlds.config(Path.of("w"));
    assertThat(c.noise().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
        org.assertj.core.api.Assertions.within(1e-9));
    assertThat(c.web().baseUrl()).isEqualTo("http://127.0.0.1:8765");
  }

  @Test
  void badValuesNameTheirKeys() {
    assertThatThrownBy(() -> Worlds.config(Path.of("w"), "synth.noise.correct=0.9"))
        .isInstanceOf(ConfigError.class).hasMessageContaining("'synth.noise.*' must sum to 1");
    assertThatThrownBy(() -> Worlds.config(Path.of("w"), "synth.web.base-url=http://127.0.0.1/x"))
        .hasMessageContaining("'synth.web.base-url'");
    assertThatThrownBy(() -> Worlds.config(Path.of("w"), "synth.splits.test=0.95"))
        .hasMessageContaining("'synth.splits.*' must sum to less than 1");
    assertThatThrownBy(() -> Worlds.config(Path.of("w"), "synth.image-size=8"))
        .hasMessageContaining("'synth.image-size' = 8 is out of range");
    assertThatThrownBy(() -> Worlds.config(Path.of("w"), "synth.web.faults.timeout=0.1"))
        .hasMessageContaining("Unknown config key 'synth.web.faults.timeout'");
  }
}
