package io.sparkvlm.core.model.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The set loss: its matching, its value on hand-made cases, and its gradient against central differences. */
class DetectionLossTest {
  @Test
  void matchesEachTrueBoxToThePredictionThatFitsIt() {
    // prediction 1 sits on box 0 and says query 0; prediction 2 sits on box 1 and says query 1; 0 is elsewhere
    double[][] logits = {{-3, -3}, {4, -4}, {-4, 4}};
    double[][] boxes = {{0.8, 0.8, 0.1, 0.1}, {0.2, 0.2, 0.2, 0.2}, {0.6, 0.3, 0.2, 0.3}};
    double[][] targets = {{0.21, 0.2, 0.2, 0.2}, {0.6, 0.3, 0.2, 0.3}};
    DetectionLoss.Result r = DetectionLoss.compute(logits, boxes, targets, new int[] {0, 1});
    assertThat(r.matchedPrediction()).containsExactly(1, 2);
    // swapping the labels of the true boxes swaps nothing in where they are: the boxes still decide
    DetectionLoss.Result swapped = DetectionLoss.compute(logits, boxes, targets, new int[] {1, 0});
    assertThat(swapped.matchedPrediction()).containsExactly(1, 2);
    assertThat(swapped.loss()).isGreaterThan(r.loss());
  }

  @Test
  void aPerfectPredictionCostsOnlyTheFocalTerms() {
    double[][] logits = {{20, -20}, {-20, -20}};
    double[][] boxes = {{0.5, 0.5, 0.2, 0.2}, {0.1, 0.1, 0.1, 0.1}};
    DetectionLoss.Result r = DetectionLoss.compute(logits, boxes, new double[][] {{0.5, 0.5, 0.2, 0.2}},
        new int[] {0});
    assertThat(r.loss()).isCloseTo(0, within(1e-6));
    assertThat(r.boxGradient()[1]).containsExactly(0, 0, 0, 0);
  }

  @Test
  void focalLossMatchesItsDefinition() {
    for (double x : new double[] {-5, -0.3, 0, 1.7, 6}) {
      double p = 1 / (1 + Math.exp(-x));
      assertThat(DetectionLoss.focal(x, 1)).isCloseTo(-0.25 * Math.pow(1 - p, 2) * Math.log(p), within(1e-12));
      assertThat(DetectionLoss.focal(x, 0)).isCloseTo(-0.75 * Math.pow(p, 2) * Math.log(1 - p), within(1e-12));
    }
    // far past the point where 1 - sigmoid(x) rounds to 0, the loss is still finite
    assertThat(DetectionLoss.focal(50, 0)).isFinite().isPositive();
  }

  @Test
  void gradientEqualsCentralDifferencesWithTheMatchingFixed() {
    Random r = new Random(9);
    double worst = 0;
    int checked = 0;
    for (int trial = 0; trial < 60; trial++) {
      int predictions = 3 + r.nextInt(4);
      int queries = 1 + r.nextInt(3);
      int targets = 1 + r.nextInt(predictions - 1);
      double[][] logits = new double[predictions][queries];
      double[][] boxes = new double[predictions][];
      for (int i = 0; i < predictions; i++) {
        for (int q = 0; q < queries; q++) {
          logits[i][q] = 2 * r.nextGaussian();
        }
        boxes[i] = box(r);
      }
      double[][] truth = new double[targets][];
      int[] labels = new int[targets];
      for (int j = 0; j < targets; j++) {
        truth[j] = box(r);
        labels[j] = r.nextInt(queries);
      }
      DetectionLoss.Result base = DetectionLoss.compute(logits, boxes, truth, labels);
      double eps = 1e-6;
      for (int i = 0; i < predictions; i++) {
        for (int q = 0; q < queries; q++) {
          double keep = logits[i][q];
          logits[i][q] = keep + eps;
          DetectionLoss.Result plus = DetectionLoss.compute(logits, boxes, truth, labels);
          logits[i][q] = keep - eps;
          DetectionLoss.Result minus = DetectionLoss.compute(logits, boxes, truth, labels);
          logits[i][q] = keep;
          if (sameMatching(base, plus, minus)) {
            worst = Math.max(worst, error((plus.loss() - minus.loss()) / (2 * eps), base.logitGradient()[i][q]));
            checked++;
          }
        }
        for (int k = 0; k < 4; k++) {
          double keep = boxes[i][k];
          boxes[i][k] = keep + eps;
          DetectionLoss.Result plus = DetectionLoss.compute(logits, boxes, truth, labels);
          boxes[i][k] = keep - eps;
          DetectionLoss.Result minus = DetectionLoss.compute(logits, boxes, truth, labels);
          boxes[i][k] = keep;
          if (sameMatching(base, plus, minus)) {
            worst = Math.max(worst, error((plus.loss() - minus.loss()) / (2 * eps), base.boxGradient()[i][k]));
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(1000);
    assertThat(worst).isLessThan(1e-5);
  }

  @Test
  void refusesLabelsOutsideTheQueries() {
    assertThatThrownBy(() -> DetectionLoss.compute(new double[][] {{0}}, new double[][] {{0.5, 0.5, 0.1, 0.1}},
        new double[][] {{0.5, 0.5, 0.1, 0.1}}, new int[] {3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query 3");
  }

  private static boolean sameMatching(DetectionLoss.Result a, DetectionLoss.Result b, DetectionLoss.Result c) {
    return java.util.Arrays.equals(a.matchedPrediction(), b.matchedPrediction())
        && java.util.Arrays.equals(a.matchedPrediction(), c.matchedPrediction());
  }

  private static double error(double numeric, double analytic) {
    return Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic));
  }

  private static double[] box(Random r) {
    return new double[] {0.1 + 0.8 * r.nextDouble(), 0.1 + 0.8 * r.nextDouble(), 0.05 + 0.3 * r.nextDouble(),
        0.05 + 0.3 * r.nextDouble()};
  }
}
