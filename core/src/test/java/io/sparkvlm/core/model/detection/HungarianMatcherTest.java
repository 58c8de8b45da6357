package io.sparkvlm.core.model.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The assignment against brute force over every injective map of rows to columns. */
class HungarianMatcherTest {
  @Test
  void findsTheMinimumCostOfBruteForceOnSmallMatrices() {
    Random random = new Random(3);
    for (int trial = 0; trial < 400; trial++) {
      int rows = 1 + random.nextInt(5);
      int cols = rows + random.nextInt(3);
      double[][] cost = new double[rows][cols];
      for (double[] row : cost) {
        for (int c = 0; c < cols; c++) {
          // every fourth matrix of small integers, so that ties between assignments are common
          row[c] = trial % 4 == 0 ? random.nextInt(3) : random.nextGaussian() * 10;
        }
      }
      int[] a = HungarianMatcher.assign(cost);
      assertThat(a).hasSize(rows);
      Set<Integer> distinct = new HashSet<>();
      for (int c : a) {
        assertThat(c).isBetween(0, cols - 1);
        distinct.add(c);
      }
      assertThat(distinct).as("distinct columns").hasSize(rows);
      assertThat(HungarianMatcher.total(cost, a)).as("trial " + trial)
          .isCloseTo(bruteForce(cost, 0, new boolean[cols]), within(1e-9));
    }
  }

  @Test
  void aGreedyChoiceIsNotTheAnswer() {
    // greedy takes row 0 -> column 0 (cost 1), leaving row 1 cost 100; the optimum is 2 + 2
    double[][] cost = {{1, 2}, {2, 100}};
    assertThat(HungarianMatcher.assign(cost)).containsExactly(1, 0);
  }

  @Test
  void refusesMoreRowsThanColumnsAndNonFiniteCosts() {
    assertThatThrownBy(() -> HungarianMatcher.assign(new double[][] {{1}, {2}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 rows");
    assertThatThrownBy(() -> HungarianMatcher.assign(new double[][] {{1, Double.NaN}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
    assertThat(HungarianMatcher.assign(new double[0][0])).isEmpty();
  }

  private static double bruteForce(double[][] cost, int row, boolean[] used) {
    if (row == cost.length) {
      return 0;
    }
    double best = Double.POSITIVE_INFINITY;
    for (int c = 0; c < used.length; c++) {
      if (!used[c]) {
        used[c] = true;
        best = Math.min(best, cost[row][c] + bruteForce(cost, row + 1, used));
        used[c] = false;
      }
    }
    return best;
  }
}
