package io.sparkvlm.core.model.detection;

/**
 * The generalised IoU (Rezatofighi et al. 2019) of two boxes and the loss 1 - GIoU with its gradient with respect to
 * the predicted box, as DETR and OWL-ViT use it. Boxes are (centre x, centre y, width, height), as the detection head
 * predicts them (normalised to the image, widths positive).
 *
 * GIoU = IoU - (C - U) / C = IoU - 1 + U / C, where I is the intersection's area, U = area(p) + area(t) - I the union
 * and C the area of the smallest box enclosing both. At a kink (two edges equal) the gradient takes one side.
 */
public final class GeneralizedIoU {
  /** Index of each coordinate in a box. */
  public static final int CX = 0;
  public static final int CY = 1;
  public static final int W = 2;
  public static final int H = 3;

  private GeneralizedIoU() {}

  /** GIoU of two (cx, cy, w, h) boxes, in [-1, 1]. */
  public static double giou(double[] p, double[] t) {
    return terms(p, t).giou();
  }

  /** 1 - GIoU, in [0, 2]. */
  public static double loss(double[] p, double[] t) {
    return 1 - giou(p, t);
  }

  /** d(1 - GIoU) / d(p's cx, cy, w, h). */
  public static double[] lossGradient(double[] p, double[] t) {
    Terms s = terms(p, t);
    // corners of p: x0 = cx - w/2, x1 = cx + w/2 (the same for y); d/d of each corner of I, area(p), C
    double dIx0 = s.iw > 0 && s.ih > 0 && p0(p, CX, W) > p0(t, CX, W) ? -s.ih : 0;
    double dIx1 = s.iw > 0 && s.ih > 0 && p1(p, CX, W) < p1(t, CX, W) ? s.ih : 0;
    double dIy0 = s.iw > 0 && s.ih > 0 && p0(p, CY, H) > p0(t, CY, H) ? -s.iw : 0;
    double dIy1 = s.iw > 0 && s.ih > 0 && p1(p, CY, H) < p1(t, CY, H) ? s.iw : 0;
    double dAx0 = -p[H];
    double dAx1 = p[H];
    double dAy0 = -p[W];
    double dAy1 = p[W];
    double dCx0 = p0(p, CX, W) < p0(t, CX, W) ? -s.eh : 0;
    double dCx1 = p1(p, CX, W) > p1(t, CX, W) ? s.eh : 0;
    double dCy0 = p0(p, CY, H) < p0(t, CY, H) ? -s.ew : 0;
    double dCy1 = p1(p, CY, H) > p1(t, CY, H) ? s.ew : 0;
    double[] corner = new double[4];
    double[][] d = {{dIx0, dAx0, dCx0}, {dIx1, dAx1, dCx1}, {dIy0, dAy0, dCy0}, {dIy1, dAy1, dCy1}};
    for (int k = 0; k < 4; k++) {
      double dI = d[k][0];
      double dU = d[k][1] - dI;
      double dC = d[k][2];
      double dIoU = dI / s.union - s.inter * dU / (s.union * s.union);
      double dUoverC = dU / s.enclosing - s.union * dC / (s.enclosing * s.enclosing);
      corner[k] = -(dIoU + dUoverC);
    }
    // back to (cx, cy, w, h): cx moves both corners, w moves them apart by half each
    return new double[] {corner[0] + corner[1], corner[2] + corner[3], (corner[1] - corner[0]) / 2,
        (corner[3] - corner[2]) / 2};
  }

  /** The GIoU of every prediction (rows) with every target (columns): the matcher's box cost is its negative. */
  public static double[][] pairwise(double[][] predictions, double[][] targets) {
    double[][] g = new double[predictions.length][targets.length];
    for (int i = 0; i < predictions.length; i++) {
      for (int j = 0; j < targets.length; j++) {
        g[i][j] = giou(predictions[i], targets[j]);
      }
    }
    return g;
  }

  private record Terms(double iw, double ih, double inter, double union, double ew, double eh, double enclosing) {
    double giou() {
      return inter / union - 1 + union / enclosing;
    }
  }

  private static Terms terms(double[] p, double[] t) {
    if (p.length != 4 || t.length != 4 || !(p[W] > 0) || !(p[H] > 0) || !(t[W] > 0) || !(t[H] > 0)) {
      throw new IllegalArgumentException("boxes are (cx, cy, w, h) with a positive width and height");
    }
    double iw = Math.max(0, Math.min(p1(p, CX, W), p1(t, CX, W)) - Math.max(p0(p, CX, W), p0(t, CX, W)));
    double ih = Math.max(0, Math.min(p1(p, CY, H), p1(t, CY, H)) - Math.max(p0(p, CY, H), p0(t, CY, H)));
    double inter = iw * ih;
    double union = p[W] * p[H] + t[W] * t[H] - inter;
    double ew = Math.max(p1(p, CX, W), p1(t, CX, W)) - Math.min(p0(p, CX, W), p0(t, CX, W));
    double eh = Math.max(p1(p, CY, H), p1(t, CY, H)) - Math.min(p0(p, CY, H), p0(t, CY, H));
    return new Terms(iw, ih, inter, union, ew, eh, ew * eh);
  }

  private static double p0(double[] b, int centre, int size) {
    return b[centre] - b[size] / 2;
  }

  private static double p1(double[] b, int centre, int size) {
    return b[centre] + b[size] / 2;
  }
}
