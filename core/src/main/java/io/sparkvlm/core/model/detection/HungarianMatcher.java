package io.sparkvlm.core.model.detection;

import java.util.Arrays;

/**
 * The minimum-cost assignment of every row to a distinct column (Kuhn-Munkres with row and column potentials,
 * O(rows^2 x columns)), as DETR and OWL-ViT match ground-truth boxes (rows) to predictions (columns, at least as many)
 * with scipy's linear_sum_assignment. Among assignments of equal cost, which one is returned is unspecified.
 */
public final class HungarianMatcher {
  private HungarianMatcher() {}

  /**
   * {@code cost[r][c]}: the cost of giving row r column c; rows at most columns, every value finite. Returns, for each
   * row, its column.
   */
  public static int[] assign(double[][] cost) {
    int n = cost.length;
    if (n == 0) {
      return new int[0];
    }
    int m = cost[0].length;
    if (n > m) {
      throw new IllegalArgumentException("cannot give " + n + " rows distinct columns out of " + m
          + "; transpose the cost matrix (more ground-truth boxes than predictions?)");
    }
    for (int r = 0; r < n; r++) {
      if (cost[r].length != m) {
        throw new IllegalArgumentException("cost row " + r + " has " + cost[r].length + " columns, row 0 has " + m);
      }
      for (int c = 0; c < m; c++) {
        if (!Double.isFinite(cost[r][c])) {
          throw new IllegalArgumentException("cost[" + r + "][" + c + "] = " + cost[r][c] + " is not finite");
        }
      }
    }
    // 1-based potentials u (rows), v (columns); owner[c] = the row holding column c (0: none)
    double[] u = new double[n + 1];
    double[] v = new double[m + 1];
    int[] owner = new int[m + 1];
    int[] way = new int[m + 1];
    for (int row = 1; row <= n; row++) {
      owner[0] = row;
      int free = 0;
      double[] minv = new double[m + 1];
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      boolean[] used = new boolean[m + 1];
      do {
        used[free] = true;
        int r = owner[free];
        double delta = Double.POSITIVE_INFINITY;
        int next = 0;
        for (int c = 1; c <= m; c++) {
          if (!used[c]) {
            double reduced = cost[r - 1][c - 1] - u[r] - v[c];
            if (reduced < minv[c]) {
              minv[c] = reduced;
              way[c] = free;
            }
            if (minv[c] < delta) {
              delta = minv[c];
              next = c;
            }
          }
        }
        for (int c = 0; c <= m; c++) {
          if (used[c]) {
            u[owner[c]] += delta;
            v[c] -= delta;
          } else {
            minv[c] -= delta;
          }
        }
        free = next;
      } while (owner[free] != 0);
      // the augmenting path back to the root
      do {
        int previous = way[free];
        owner[free] = owner[previous];
        free = previous;
      } while (free != 0);
    }
    int[] columnOf = new int[n];
    for (int c = 1; c <= m; c++) {
      if (owner[c] != 0) {
        columnOf[owner[c] - 1] = c - 1;
      }
    }
    return columnOf;
  }

  /** The total cost of an assignment from {@link #assign}. */
  public static double total(double[][] cost, int[] columnOf) {
    double sum = 0;
    for (int r = 0; r < columnOf.length; r++) {
      sum += cost[r][columnOf[r]];
    }
    return sum;
  }
}
