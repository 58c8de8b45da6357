package io.sparkvlm.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SettingValuesTest {
  @Test
  void numbersCompareByValueAndEverythingElseByText() {
    assertThat(SettingValues.same("9", "9")).isTrue();
    assertThat(SettingValues.same("20", "20.0")).as("a file's 20 and the command line's 20.0").isTrue();
    assertThat(SettingValues.same("20", "20.5")).isFalse();
    assertThat(SettingValues.same("10s", "10000ms")).as("durations stay text").isFalse();
    assertThat(SettingValues.same("a", "b")).isFalse();
    assertThat(SettingValues.same(null, "1")).isFalse();
    assertThat(SettingValues.same(null, null)).isTrue();
  }
}
