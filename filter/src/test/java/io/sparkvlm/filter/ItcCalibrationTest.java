package io.sparkvlm.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkvlm.core.model.MatchingModel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ItcCalibrationTest {
  private static double[] normal(Random r, int n, double mean, double sd) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mean + sd * r.nextGaussian();
    }
    return x;
  }

  /**
   * Two classes of cosines, each normal with the same spread: with the classes weighted the same, the log-odds are
   * exactly linear, slope (m1 - m0) / sd^2 and intercept -(m1^2 - m0^2) / (2 sd^2), whatever the class sizes.
   */
  @Test
  void theFitRecoversTheLogOddsOfTwoNormalClassesWithEqualWeights() {
    Random r = new Random(5);
    double sd = 0.05;
    double m1 = 0.30;
    double m0 = 0.20;
    MatchingModel.ItcDecision d = ItcCalibration.fit(normal(r, 20_000, m1, sd),
        List.of(new ItcCalibration.Negatives("others", normal(r, 80_000, m0, sd), 2)));
    assertThat(d.slope()).isCloseTo((m1 - m0) / (sd * sd), within(2.0));       // 40
    assertThat(-d.intercept() / d.slope()).as("the cosine at 0.5").isCloseTo((m0 + m1) / 2, within(0.003));
  }

  /** Groups weigh by their shares, not their sizes: a tiny group with most of the share moves the cut. */
  @Test
  void negativeGroupsWeighByShareNotBySize() {
    Random r = new Random(6);
    double[] matching = normal(r, 10_000, 0.5, 0.1);
    double[] near = normal(r, 1_000, 0.4, 0.1);
    double[] far = normal(r, 50_000, 0.0, 0.1);
    double cutMostlyNear = cut(ItcCalibration.fit(matching, List.of(new ItcCalibration.Negatives("near", near, 9),
        new ItcCalibration.Negatives("far", far, 1))));
    double cutMostlyFar = cut(ItcCalibration.fit(matching, List.of(new ItcCalibration.Negatives("near", near, 1),
        new ItcCalibration.Negatives("far", far, 9))));
    assertThat(cutMostlyNear).isGreaterThan(cutMostlyFar + 0.1);
  }

  @Test
  void separableClassesStayFiniteAndEmptyInputsAreRefused() {
    MatchingModel.ItcDecision d = ItcCalibration.fit(new double[] {0.8, 0.9},
        List.of(new ItcCalibration.Negatives("others", new double[] {0.1, 0.2}, 1)));
    assertThat(Double.isFinite(d.slope()) && Double.isFinite(d.intercept())).isTrue();
    assertThat(d.slope()).isPositive();
    assertThat(cut(d)).isBetween(0.2, 0.8);
    assertThatThrownBy(() -> ItcCalibration.fit(new double[0], List.of(new ItcCalibration.Negatives("o",
        new double[] {0.1}, 1)))).hasMessageContaining("needs matching pairs");
    assertThatThrownBy(() -> ItcCalibration.fit(new double[] {0.5}, List.of(new ItcCalibration.Negatives("web",
        new double[0], 1)))).hasMessageContaining("the negatives 'web' have 0 pairs");
    assertThatThrownBy(() -> ItcCalibration.fit(new double[] {0.5}, List.of()))
        .hasMessageContaining("needs negative pairs");
  }

  private static double cut(MatchingModel.ItcDecision d) {
    return -d.intercept() / d.slope();
  }
}
