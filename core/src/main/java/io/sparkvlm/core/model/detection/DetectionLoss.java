package io.sparkvlm.core.model.detection;

/**
 * DETR's set loss as OWL-ViT trains with it, for one image: predictions are matched one-to-one to the true boxes
 * ({@link HungarianMatcher} on the weighted sum of a focal classification cost, L1 and -GIoU), then
 * <ul>
 *   <li>a sigmoid focal loss (alpha {@link #ALPHA}, gamma {@link #GAMMA}) on every prediction's logit for every
 *       query: 1 where a prediction is matched to a box of that query, 0 elsewhere;</li>
 *   <li>for each matched pair, L1 on (cx, cy, w, h) and 1 - GIoU;</li>
 * </ul>
 * weighted {@link #CLASS_WEIGHT}, {@link #L1_WEIGHT}, {@link #GIOU_WEIGHT} (DETR's 1, 5, 2) and divided by the number of
 * true boxes (at least 1). Boxes are normalised (cx, cy, w, h). The gradient is with respect to the logits and the
 * predicted boxes, with the matching held fixed (it is piecewise constant).
 */
public final class DetectionLoss {
  public static final double ALPHA = 0.25;
  public static final double GAMMA = 2.0;
  public static final double CLASS_WEIGHT = 1;
  public static final double L1_WEIGHT = 5;
  public static final double GIOU_WEIGHT = 2;

  private DetectionLoss() {}

  /**
   * The loss, its gradient ([predictions][queries] and [predictions][4]) and, for each true box, the prediction
   * matched to it.
   */
  public record Result(double loss, double[][] logitGradient, double[][] boxGradient, int[] matchedPrediction) {}

  /**
   * {@code logits}: [predictions][queries]; {@code boxes}: [predictions][4]; {@code targetBoxes}: [targets][4];
   * {@code targetQueries}: each true box's query index. At least as many predictions as true boxes.
   */
  public static Result compute(double[][] logits, double[][] boxes, double[][] targetBoxes, int[] targetQueries) {
    int p = logits.length;
    int t = targetBoxes.length;
    if (boxes.length != p) {
      throw new IllegalArgumentException(p + " predictions with logits but " + boxes.length + " with boxes");
    }
    if (targetQueries.length != t) {
      throw new IllegalArgumentException(t + " true boxes but " + targetQueries.length + " query labels");
    }
    int queries = p == 0 ? 0 : logits[0].length;
    for (int q : targetQueries) {
      if (q < 0 || q >= queries) {
        throw new IllegalArgumentException("a true box's query " + q + " is not one of the " + queries + " queries");
      }
    }
    // the matching: rows are true boxes, columns predictions
    double[][] cost = new double[t][p];
    for (int j = 0; j < t; j++) {
      for (int i = 0; i < p; i++) {
        double x = logits[i][targetQueries[j]];
        cost[j][i] = CLASS_WEIGHT * (focal(x, 1) - focal(x, 0)) + L1_WEIGHT * l1(boxes[i], targetBoxes[j])
            - GIOU_WEIGHT * GeneralizedIoU.giou(boxes[i], targetBoxes[j]);
      }
    }
    int[] matched = HungarianMatcher.assign(cost);
    double norm = Math.max(1, t);

    double[][] target = new double[p][queries];
    for (int j = 0; j < t; j++) {
      target[matched[j]][targetQueries[j]] = 1;
    }
    double loss = 0;
    double[][] dLogits = new double[p][queries];
    for (int i = 0; i < p; i++) {
      for (int q = 0; q < queries; q++) {
        loss += CLASS_WEIGHT * focal(logits[i][q], target[i][q]) / norm;
        dLogits[i][q] = CLASS_WEIGHT * focalGradient(logits[i][q], target[i][q]) / norm;
      }
    }
    double[][] dBoxes = new double[p][4];
    for (int j = 0; j < t; j++) {
      int i = matched[j];
      loss += (L1_WEIGHT * l1(boxes[i], targetBoxes[j]) + GIOU_WEIGHT * GeneralizedIoU.loss(boxes[i],
          targetBoxes[j])) / norm;
      double[] g = GeneralizedIoU.lossGradient(boxes[i], targetBoxes[j]);
      for (int k = 0; k < 4; k++) {
        dBoxes[i][k] += (L1_WEIGHT * Math.signum(boxes[i][k] - targetBoxes[j][k]) + GIOU_WEIGHT * g[k]) / norm;
      }
    }
    return new Result(loss, dLogits, dBoxes, matched);
  }

  /** The sigmoid focal loss of logit {@code x} for target {@code y} (0 or 1), from log-sigmoids (stable). */
  static double focal(double x, double y) {
    double logP = -softplus(-x);
    double log1mP = -softplus(x);
    double p = Math.exp(logP);
    return y == 1 ? -ALPHA * Math.pow(1 - p, GAMMA) * logP : -(1 - ALPHA) * Math.pow(p, GAMMA) * log1mP;
  }

  /** d focal / dx: for y = 1, alpha (1-p)^g (g p log p - (1-p)); for y = 0, (1-alpha) p^g (p - g (1-p) log(1-p)). */
  static double focalGradient(double x, double y) {
    double logP = -softplus(-x);
    double log1mP = -softplus(x);
    double p = Math.exp(logP);
    double q = Math.exp(log1mP);
    return y == 1 ? ALPHA * Math.pow(q, GAMMA) * (GAMMA * p * logP - q)
        : (1 - ALPHA) * Math.pow(p, GAMMA) * (p - GAMMA * q * log1mP);
  }

  private static double softplus(double x) {
    return x > 30 ? x : x < -30 ? Math.exp(x) : Math.log1p(Math.exp(x));
  }

  private static double l1(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < 4; k++) {
      s += Math.abs(a[k] - b[k]);
    }
    return s;
  }
}
