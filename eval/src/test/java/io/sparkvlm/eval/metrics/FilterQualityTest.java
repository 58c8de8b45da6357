package io.sparkvlm.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterQualityTest {
  @Test
  void filterQualityPerNoiseType() {
    List<FilterQuality.Decision> d = List.of(
        new FilterQuality.Decision("correct", true, true),
        new FilterQuality.Decision("correct", true, false),
        new FilterQuality.Decision("wrong-colour", false, true),
        new FilterQuality.Decision("boilerplate", false, false),
        new FilterQuality.Decision("boilerplate", false, false));
    Map<String, Object> q = FilterQuality.evaluate(d);
    assertThat((double) q.get("precision")).isEqualTo(0.5);
    assertThat((double) q.get("recall")).isEqualTo(0.5);
    assertThat((double) q.get("f1")).isEqualTo(0.5);
    assertThat((double) q.get("accuracy")).isEqualTo(0.6);
    @SuppressWarnings("unchecked")
    Map<String, Double> kept = (Map<String, Double>) q.get("kept_share_by_noise_type");
    assertThat(kept).containsEntry("correct", 0.5).containsEntry("boilerplate", 0.0).containsEntry("wrong-colour",
        1.0);
  }
}
