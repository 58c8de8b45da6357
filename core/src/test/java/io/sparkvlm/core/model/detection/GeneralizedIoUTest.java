package io.sparkvlm.core.model.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-computed values, and the loss gradient against central differences in double precision. */
class GeneralizedIoUTest {
  @Test
  void matchesHandComputedValues() {
    double[] unit = {0.5, 0.5, 1, 1};
    assertThat(GeneralizedIoU.giou(unit, unit)).isCloseTo(1, within(1e-15));
    // touching: I = 0, U = C = 2
    assertThat(GeneralizedIoU.giou(unit, new double[] {1.5, 0.5, 1, 1})).isCloseTo(0, within(1e-15));
    // one unit apart: U = 2, C = 3
    assertThat(GeneralizedIoU.giou(unit, new double[] {2.5, 0.5, 1, 1})).isCloseTo(-1.0 / 3, within(1e-15));
    // [0,2]^2 and [1,3]^2: I = 1, U = 7, C = 9
    assertThat(GeneralizedIoU.giou(new double[] {1, 1, 2, 2}, new double[] {2, 2, 2, 2}))
        .isCloseTo(1.0 / 7 - 2.0 / 9, within(1e-15));
    assertThat(GeneralizedIoU.loss(unit, unit)).isCloseTo(0, within(1e-15));
  }

  @Test
  void lossGradientEqualsCentralDifferences() {
    Random random = new Random(11);
    int checked = 0;
    double worst = 0;
    for (int trial = 0; trial < 500; trial++) {
      double[] p = box(random);
      double[] t = box(random);
      double[] analytic = GeneralizedIoU.lossGradient(p, t);
      for (int k = 0; k < 4; k++) {
        double eps = 1e-6;
        double[] plus = p.clone();
        double[] minus = p.clone();
        plus[k] += eps;
        minus[k] -= eps;
        double numeric = (GeneralizedIoU.loss(plus, t) - GeneralizedIoU.loss(minus, t)) / (2 * eps);
        double error = Math.abs(numeric - analytic[k]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[k]));
        worst = Math.max(worst, error);
        checked++;
      }
    }
    // overlapping, nested and disjoint pairs all occur in 500 random pairs; no kink is within 1e-6 of them
    assertThat(checked).isEqualTo(2000);
    assertThat(worst).isLessThan(1e-6);
  }

  @Test
  void aSmallStepAgainstTheGradientLowersTheLoss() {
    Random random = new Random(5);
    for (int trial = 0; trial < 200; trial++) {
      double[] p = box(random);
      double[] t = box(random);
      double[] g = GeneralizedIoU.lossGradient(p, t);
      double[] stepped = p.clone();
      for (int k = 0; k < 4; k++) {
        stepped[k] -= 1e-4 * g[k];
      }
      assertThat(GeneralizedIoU.loss(stepped, t)).as("trial " + trial).isLessThan(GeneralizedIoU.loss(p, t));
    }
  }

  @Test
  void refusesBoxesWithoutArea() {
    assertThatThrownBy(() -> GeneralizedIoU.giou(new double[] {0, 0, 0, 1}, new double[] {0, 0, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive width");
  }

  private static double[] box(Random r) {
    return new double[] {r.nextDouble(), r.nextDouble(), 0.05 + 0.5 * r.nextDouble(), 0.05 + 0.5 * r.nextDouble()};
  }
}
