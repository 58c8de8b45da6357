package io.sparkvlm.eval.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * COCO box detection average precision exactly as pycocotools' COCOeval (iouType "bbox") computes it, for the area
 * range "all" and at most {@link #MAX_DETECTIONS} detections per image and category:
 * <ul>
 *   <li>per image and category, detections sorted by score (stable), the first 100 kept; at each IoU threshold
 *       0.50:0.05:0.95 each detection in turn takes the unmatched ground-truth box of highest IoU at least the
 *       threshold, non-crowd boxes before crowd ones; a crowd box's IoU is the intersection over the detection's
 *       own area, it can take many detections, and what matches it is ignored;</li>
 *   <li>per category, every image's detections in one list sorted by score (stable), cumulative true and false
 *       positives, precision made monotone from the right and read at the 101 recall points 0:0.01:1 (0 past the
 *       last recall reached);</li>
 *   <li>AP = the mean over thresholds, recall points and categories that have ground truth (a category without
 *       any is -1 and left out); AP50 and AP75 at one threshold; AR100 = the mean recall.</li>
 * </ul>
 * Boxes are COCO's [x, y, width, height]. A ground-truth box's area is the annotation's (used only for ranges);
 * every image of the ground truth counts, with or without detections; a detection on an image the ground truth
 * does not have is refused, as pycocotools' loadRes does.
 */
public final class DetectionAveragePrecision {
  /** pycocotools' maxDets[-1]: detections per image and category. */
  public static final int MAX_DETECTIONS = 100;
  static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
  static final double[] RECALL_POINTS = linspace(0.0, 1.0, 101);
  private static final int IOU_50 = 0;
  private static final int IOU_75 = 5;
  private static final int ALL_THRESHOLDS = -1;

  private DetectionAveragePrecision() {}

  /** A ground-truth box: its image, category, [x, y, w, h] and crowd flag. */
  public record GroundTruth(long imageId, int categoryId, double[] box, boolean crowd) {}

  /** A detection: its image, category, [x, y, w, h] and score. */
  public record Detection(long imageId, int categoryId, double[] box, double score) {}

  /** AP@[.5:.95], AP50, AP75, AR100 (all -1 when no category has ground truth) and AP@[.5:.95] per category. */
  public record Result(double ap, double ap50, double ap75, double ar100, Map<Integer, Double> perCategory) {
    public Map<String, Double> metrics() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("AP", ap);
      m.put("AP50", ap50);
      m.put("AP75", ap75);
      m.put("AR100", ar100);
      return m;
    }
  }

  /**
   * Over the ground truth's images and categories (COCO's {@code images} and {@code categories} lists: an image
   * without boxes still counts, its detections are false positives).
   */
  public static Result evaluate(Collection<Long> imageIds, Collection<Integer> categoryIds,
      List<GroundTruth> truth, List<Detection> detections) {
    Set<Long> images = new TreeSet<>(imageIds);
    Set<Integer> categories = new TreeSet<>(categoryIds);
    for (GroundTruth g : truth) {
      if (!images.contains(g.imageId())) {
        throw new IllegalArgumentException("a ground-truth box is on image " + g.imageId() + ", which is not in "
            + "the ground truth's images");
      }
      if (g.box().length != 4) {
        throw new IllegalArgumentException("a ground-truth box on image " + g.imageId() + " has "
            + g.box().length + " numbers; boxes are [x, y, width, height]");
      }
    }
    for (Detection d : detections) {
      if (!images.contains(d.imageId())) {
        throw new IllegalArgumentException("a detection is on image " + d.imageId() + ", which the ground truth "
            + "does not have (pycocotools: 'Results do not correspond to current coco set')");
      }
      if (d.box().length != 4 || Double.isNaN(d.score())) {
        throw new IllegalArgumentException("a detection on image " + d.imageId() + " has a box of "
            + d.box().length + " numbers or a NaN score; boxes are [x, y, width, height]");
      }
    }
    Map<String, List<GroundTruth>> gtBy = new HashMap<>();
    truth.forEach(g -> gtBy.computeIfAbsent(g.imageId() + "/" + g.categoryId(), k -> new ArrayList<>()).add(g));
    Map<String, List<Detection>> dtBy = new HashMap<>();
    detections.forEach(d -> dtBy.computeIfAbsent(d.imageId() + "/" + d.categoryId(), k -> new ArrayList<>()).add(d));

    int t = IOU_THRESHOLDS.length;
    int r = RECALL_POINTS.length;
    Map<Integer, double[][]> precision = new LinkedHashMap<>();
    Map<Integer, double[]> recall = new LinkedHashMap<>();
    for (int category : categories) {
      List<Matched> perImage = new ArrayList<>();
      for (long image : images) {
        String key = image + "/" + category;
        List<GroundTruth> g = gtBy.getOrDefault(key, List.of());
        List<Detection> d = dtBy.getOrDefault(key, List.of());
        if (!g.isEmpty() || !d.isEmpty()) {
          perImage.add(match(g, d));
        }
      }
      long nonIgnored = perImage.stream().mapToLong(m -> m.nonIgnoredTruth).sum();
      double[][] p = new double[t][r];
      double[] rc = new double[t];
      if (nonIgnored == 0) {
        for (double[] row : p) {
          Arrays.fill(row, -1);
        }
        Arrays.fill(rc, -1);
      } else {
        accumulate(perImage, nonIgnored, p, rc);
      }
      precision.put(category, p);
      recall.put(category, rc);
    }
    Map<Integer, Double> perCategory = new LinkedHashMap<>();
    precision.forEach((c, p) -> perCategory.put(c, meanValid(java.util.Collections.singletonList(p), ALL_THRESHOLDS)));
    List<double[][]> all = new ArrayList<>(precision.values());
    double ar = meanValidRecall(new ArrayList<>(recall.values()));
    return new Result(meanValid(all, ALL_THRESHOLDS), meanValid(all, IOU_50), meanValid(all, IOU_75), ar,
        perCategory);
  }

  /** One image and category after matching: per threshold, each kept detection's match state. */
  private static final class Matched {
    double[] scores;
    boolean[][] matched;
    boolean[][] ignored;
    long nonIgnoredTruth;
  }

  private static Matched match(List<GroundTruth> truthIn, List<Detection> dtIn) {
    // ground truth: non-crowd first (pycocotools sorts by its ignore flag, stably)
    List<GroundTruth> gts = new ArrayList<>(truthIn);
    gts.sort(Comparator.comparing(GroundTruth::crowd));
    List<Detection> dts = new ArrayList<>(dtIn);
    dts.sort(Comparator.comparingDouble(Detection::score).reversed());
    if (dts.size() > MAX_DETECTIONS) {
      dts = dts.subList(0, MAX_DETECTIONS);
    }
    int t = IOU_THRESHOLDS.length;
    boolean[][] gtMatched = new boolean[t][gts.size()];
    Matched m = new Matched();
    m.scores = dts.stream().mapToDouble(Detection::score).toArray();
    m.matched = new boolean[t][dts.size()];
    m.ignored = new boolean[t][dts.size()];
    m.nonIgnoredTruth = gts.stream().filter(g -> !g.crowd()).count();
    double[][] ious = new double[dts.size()][gts.size()];
    for (int d = 0; d < dts.size(); d++) {
      for (int g = 0; g < gts.size(); g++) {
        ious[d][g] = iou(dts.get(d).box(), gts.get(g).box(), gts.get(g).crowd());
      }
    }
    for (int ti = 0; ti < t; ti++) {
      for (int d = 0; d < dts.size(); d++) {
        double best = Math.min(IOU_THRESHOLDS[ti], 1 - 1e-10);
        int chosen = -1;
        for (int g = 0; g < gts.size(); g++) {
          if (gtMatched[ti][g] && !gts.get(g).crowd()) {
            continue;
          }
          // a non-crowd match found: the crowd boxes after it are not considered
          if (chosen > -1 && !gts.get(chosen).crowd() && gts.get(g).crowd()) {
            break;
          }
          if (ious[d][g] < best) {
            continue;
          }
          best = ious[d][g];
          chosen = g;
        }
        if (chosen == -1) {
          continue;
        }
        m.ignored[ti][d] = gts.get(chosen).crowd();
        m.matched[ti][d] = true;
        gtMatched[ti][chosen] = true;
      }
    }
    return m;
  }

  private static void accumulate(List<Matched> perImage, long nonIgnored, double[][] precision, double[] recall) {
    int total = perImage.stream().mapToInt(m -> m.scores.length).sum();
    double[] scores = new double[total];
    int[] image = new int[total];
    int[] index = new int[total];
    int k = 0;
    for (int i = 0; i < perImage.size(); i++) {
      for (int d = 0; d < perImage.get(i).scores.length; d++) {
        scores[k] = perImage.get(i).scores[d];
        image[k] = i;
        index[k] = d;
        k++;
      }
    }
    // numpy's argsort(-scores, kind='mergesort'): stable, descending
    Integer[] order = new Integer[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> -scores[i]));
    for (int ti = 0; ti < IOU_THRESHOLDS.length; ti++) {
      double[] rc = new double[total];
      double[] pr = new double[total];
      double tp = 0;
      double fp = 0;
      int n = 0;
      for (int o : order) {
        Matched m = perImage.get(image[o]);
        boolean ignored = m.ignored[ti][index[o]];
        boolean matched = m.matched[ti][index[o]];
        if (matched && !ignored) {
          tp++;
        } else if (!matched && !ignored) {
          fp++;
        }
        rc[n] = tp / nonIgnored;
        pr[n] = tp / (fp + tp + Math.ulp(1.0));
        n++;
      }
      recall[ti] = total == 0 ? 0 : rc[total - 1];
      for (int i = total - 1; i > 0; i--) {
        if (pr[i] > pr[i - 1]) {
          pr[i - 1] = pr[i];
        }
      }
      for (int ri = 0; ri < RECALL_POINTS.length; ri++) {
        int at = searchLeft(rc, RECALL_POINTS[ri]);
        precision[ti][ri] = at < total ? pr[at] : 0;
      }
    }
  }

  /** numpy's searchsorted(a, v, side='left'): the first index whose value is at least v. */
  private static int searchLeft(double[] sorted, double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** pycocotools' box IoU (maskApi bbIou): a crowd box's union is the detection's own area. */
  static double iou(double[] dt, double[] gt, boolean crowd) {
    double w = Math.min(dt[0] + dt[2], gt[0] + gt[2]) - Math.max(dt[0], gt[0]);
    if (w <= 0) {
      return 0;
    }
    double h = Math.min(dt[1] + dt[3], gt[1] + gt[3]) - Math.max(dt[1], gt[1]);
    if (h <= 0) {
      return 0;
    }
    double inter = w * h;
    double union = crowd ? dt[2] * dt[3] : dt[2] * dt[3] + gt[2] * gt[3] - inter;
    return inter / union;
  }

  /** The mean of the entries above -1 at one threshold's index ({@link #ALL_THRESHOLDS}: all) of every category. */
  private static double meanValid(List<double[][]> precisions, int threshold) {
    double sum = 0;
    long n = 0;
    for (double[][] p : precisions) {
      for (int ti = 0; ti < p.length; ti++) {
        if (threshold >= 0 && ti != threshold) {
          continue;
        }
        for (double v : p[ti]) {
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      }
    }
    return n == 0 ? -1 : sum / n;
  }

  private static double meanValidRecall(List<double[]> recalls) {
    double sum = 0;
    long n = 0;
    for (double[] rc : recalls) {
      for (double v : rc) {
        if (v > -1) {
          sum += v;
          n++;
        }
      }
    }
    return n == 0 ? -1 : sum / n;
  }

  /** numpy's linspace(start, stop, n), as pycocotools builds its thresholds: i * step + start, the last = stop. */
  private static double[] linspace(double start, double stop, int n) {
    double[] v = new double[n];
    double step = (stop - start) / (n - 1);
    for (int i = 0; i < n; i++) {
      v[i] = i * step + start;
    }
    v[n - 1] = stop;
    return v;
  }
}
