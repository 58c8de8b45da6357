package io.sparkvlm.filter;

import io.sparkvlm.core.model.MatchingModel;
import java.util.List;

/**
 * Where the matcher's ITC part starts: a logistic fit of match against the round-0 CLIP's cosine, {@code P(match) =
 * sigmoid(slope * cosine + intercept)}, on the pairs the matcher trains on. The classes weigh the same (the matching
 * pairs together as much as all the negatives together), so a probability of 0.5, the filter's threshold, is the
 * cosine where a match and a mismatch are equally likely, whatever share of each a training batch holds. Negatives
 * come in groups (other images' seed captions, web captions) weighted by their share of a training batch's
 * negative rows.
 */
final class ItcCalibration {
  /** A ridge on the slope keeps the fit finite when the cosine separates the classes completely. */
  static final double SLOPE_RIDGE = 1e-6;
  private static final int MAX_NEWTON_STEPS = 100;

  private ItcCalibration() {}

  /** One kind of negative pair: its cosines and its share of the negative rows (shares are normalised). */
  record Negatives(String what, double[] cosines, double share) {}

  /** The fitted decision for {@code matching} pairs' cosines against the groups of {@code negatives}. */
  static MatchingModel.ItcDecision fit(double[] matching, List<Negatives> negatives) {
    if (matching.length == 0) {
      throw new IllegalArgumentException("calibrating ITC needs matching pairs, got none");
    }
    if (negatives.isEmpty()) {
      throw new IllegalArgumentException("calibrating ITC needs negative pairs, got none");
    }
    double shares = 0;
    for (Negatives n : negatives) {
      if (n.cosines().length == 0 || !(n.share() > 0)) {
        throw new IllegalArgumentException("calibrating ITC: the negatives '" + n.what() + "' have "
            + n.cosines().length + " pairs and share " + n.share() + "; each group needs pairs and a positive share");
      }
      shares += n.share();
    }
    int total = matching.length;
    for (Negatives n : negatives) {
      total += n.cosines().length;
    }
    double[] x = new double[total];
    double[] y = new double[total];
    double[] w = new double[total];
    int k = 0;
    for (double c : matching) {
      x[k] = c;
      y[k] = 1;
      w[k++] = 1.0 / matching.length;
    }
    for (Negatives n : negatives) {
      for (double c : n.cosines()) {
        x[k] = c;
        y[k] = 0;
        w[k++] = n.share() / shares / n.cosines().length;
      }
    }
    return newton(x, y, w);
  }

  /** Weighted logistic regression on one feature, by Newton's method with step halving. */
  private static MatchingModel.ItcDecision newton(double[] x, double[] y, double[] w) {
    double a = 0;
    double b = 0;
    double loss = loss(x, y, w, a, b);
    for (int step = 0; step < MAX_NEWTON_STEPS; step++) {
      double ga = SLOPE_RIDGE * a;
      double gb = 0;
      double haa = SLOPE_RIDGE;
      double hab = 0;
      double hbb = 0;
      for (int i = 0; i < x.length; i++) {
        double p = sigmoid(a * x[i] + b);
        double r = w[i] * (p - y[i]);
        double h = w[i] * p * (1 - p);
        ga += r * x[i];
        gb += r;
        haa += h * x[i] * x[i];
        hab += h * x[i];
        hbb += h;
      }
      double det = haa * hbb - hab * hab;
      if (!(det > 0)) {
        break;
      }
      double da = (hbb * ga - hab * gb) / det;
      double db = (haa * gb - hab * ga) / det;
      double t = 1;
      double next = loss(x, y, w, a - da, b - db);
      while (next > loss && t > 1e-6) {
        t /= 2;
        next = loss(x, y, w, a - t * da, b - t * db);
      }
      if (next > loss) {
        break;
      }
      a -= t * da;
      b -= t * db;
      boolean converged = loss - next < 1e-12;
      loss = next;
      if (converged) {
        break;
      }
    }
    return new MatchingModel.ItcDecision(a, b);
  }

  private static double loss(double[] x, double[] y, double[] w, double a, double b) {
    double l = SLOPE_RIDGE * a * a / 2;
    for (int i = 0; i < x.length; i++) {
      double z = a * x[i] + b;
      // -log sigmoid(z) for a match, -log(1 - sigmoid(z)) otherwise, without overflow
      double m = y[i] == 1 ? -z : z;
      l += w[i] * (Math.max(m, 0) + Math.log1p(Math.exp(-Math.abs(m))));
    }
    return l;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
