package io.sparkvlm.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterQualityTest {
  static FilterQuality.Decision d(String type, boolean matches, boolean kept) {
    return new FilterQuality.Decision(type, matches, kept);
  }

  /**
   * By hand: kept and matching 2 (correct, terse), kept not matching 1 (wrong-colour), dropped matching 1 (correct),
   * dropped not matching 3. Keep precision 2/3, recall 2/3, F1 2/3, accuracy 5/7. Wrong-colour as a detected noise:
   * 1 of its 2 rows dropped, against 1 dropped matching row: precision 1/2, recall 1/2; boilerplate: 2 of 2 dropped
   * against the same 1: precision 2/3, recall 1, F1 0.8.
   */
  @Test
  void keepScoresAndNoiseDetectionPerTypeAsComputedByHand() {
    FilterQuality.Result q = FilterQuality.evaluate(List.of(
        d("correct", true, true), d("correct", true, false), d("terse", true, true),
        d("wrong-colour", false, true), d("wrong-colour", false, false),
        d("boilerplate", false, false), d("boilerplate", false, false)));
    assertThat(q.decisions()).isEqualTo(7);
    assertThat(q.kept()).isEqualTo(3);
    assertThat(q.precision()).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(q.recall()).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(q.f1()).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(q.accuracy()).isCloseTo(5.0 / 7, within(1e-15));
    Map<String, FilterQuality.NoiseType> t = q.perNoiseType();
    assertThat(t.get("correct").keptShare()).isEqualTo(0.5);
    assertThat(t.get("terse").keptShare()).isEqualTo(1.0);
    assertThat(t.get("correct").drop()).isEmpty();
    assertThat(t.get("wrong-colour").drop().orElseThrow()).isEqualTo(new FilterQuality.Detection(0.5, 0.5, 0.5));
    FilterQuality.Detection b = t.get("boilerplate").drop().orElseThrow();
    assertThat(b.precision()).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(b.recall()).isEqualTo(1.0);
    assertThat(b.f1()).isCloseTo(0.8, within(1e-15));
    assertThat(q.metrics()).containsEntry("keep/f1", q.f1()).containsEntry("noise/boilerplate/drop_recall", 1.0)
        .containsEntry("noise/terse/rows", 1.0).doesNotContainKey("noise/terse/drop_f1");
  }

  @Test
  void emptyAndOneSidedInputsGiveZerosNotNaN() {
    FilterQuality.Result none = FilterQuality.evaluate(List.of());
    assertThat(none.metrics().values()).allSatisfy(v -> assertThat(v).isEqualTo(0.0));
    FilterQuality.Result dropAll = FilterQuality.evaluate(List.of(d("correct", true, false),
        d("mismatched", false, false)));
    assertThat(dropAll.kept()).isZero();                                // nothing kept: precision undefined, 0
    assertThat(dropAll.precision()).isZero();
    assertThat(dropAll.recall()).isZero();
    assertThat(dropAll.f1()).isZero();
    assertThat(dropAll.accuracy()).isEqualTo(0.5);
    assertThat(dropAll.perNoiseType().get("mismatched").drop().orElseThrow())
        .isEqualTo(new FilterQuality.Detection(0.5, 1.0, 2 * 0.5 / 1.5));
  }

  @Test
  void aNoiseTypeThatBothMatchesAndDoesNotIsAnError() {
    assertThatThrownBy(() -> FilterQuality.evaluate(List.of(d("terse", true, true), d("terse", false, true))))
        .hasMessageContaining("noise type 'terse'");
  }
}
