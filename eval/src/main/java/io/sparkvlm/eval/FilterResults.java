package io.sparkvlm.eval;

import io.sparkvlm.core.dataset.FilterDecisions.Decision;
import io.sparkvlm.eval.StandardFormats.WebTruth;
import io.sparkvlm.eval.metrics.FilterQuality;
import io.sparkvlm.eval.report.HtmlReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A filter's keep/drop decisions on web pairs joined with the synthetic world's ground truth by URL, scored
 * ({@link FilterQuality}) and shown with examples. Every row is accounted for: a decision for a URL the ground
 * truth does not have is an error (the wrong world?); a ground-truth row without a decision is counted as
 * undecided, by the fault the simulated web gave its URL (a download that failed never reaches the filter; an
 * undecided row with no fault is a row the pipeline lost). Scored once, when made.
 */
public final class FilterResults {
  private static final int GALLERY = 6;
  private static final String NO_FAULT = "NONE";

  private final Map<String, WebTruth> truth;
  private final Map<String, Decision> decisions;
  private final FilterQuality.Result score;
  private final Map<String, Long> undecidedByFault;

  /** {@code truth}: url -> ground truth; {@code decisions}: url -> the filter's decision. */
  public FilterResults(Map<String, WebTruth> truth, Map<String, Decision> decisions) {
    List<String> unknown = decisions.keySet().stream().filter(u -> !truth.containsKey(u)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(unknown.size() + " decisions name URLs the ground truth does not have "
          + "(e.g. " + unknown.get(0) + "): are the decisions and the ground truth from the same world?");
    }
    this.truth = truth;
    this.decisions = decisions;
    List<FilterQuality.Decision> joined = new ArrayList<>();
    decisions.forEach((url, d) -> {
      WebTruth t = truth.get(url);
      joined.add(new FilterQuality.Decision(t.noise(), t.matchesImage(), d.kept()));
    });
    this.score = FilterQuality.evaluate(joined);
    Map<String, Long> undecided = new TreeMap<>();
    truth.forEach((url, t) -> {
      if (!decisions.containsKey(url)) {
        undecided.merge(t.fault(), 1L, Long::sum);
      }
    });
    this.undecidedByFault = undecided;
  }

  public FilterQuality.Result score() {
    return score;
  }

  /** Ground-truth rows without a decision, by the fault of their URL. */
  public Map<String, Long> undecidedByFault() {
    return undecidedByFault;
  }

  /** {@code vlm eval filter}'s metrics.json. */
  public Map<String, Object> metrics() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "filter");
    out.put("ground_truth_rows", truth.size());
    out.putAll(score.metrics());
    Map<String, Long> undecided = undecidedByFault;
    out.put("undecided", undecided.values().stream().mapToLong(Long::longValue).sum());
    out.put("undecided_without_fault", undecided.getOrDefault(NO_FAULT, 0L));
    out.put("undecided_by_fault", undecided);
    return out;
  }

  /**
   * Headlines, charts per noise type, a table, and galleries: captions kept that do not match their image (the
   * highest score first), captions dropped that do (the lowest score first), and one rightly dropped example of
   * each noise type.
   */
  public HtmlReport report(Function<WebTruth, byte[]> imageOf) {
    FilterQuality.Result q = score;
    HtmlReport r = new HtmlReport("Filter quality: " + q.decisions() + " decisions on " + truth.size()
        + " web pairs");
    r.headline("keep precision", String.format("%.3f", q.precision()));
    r.headline("keep recall", String.format("%.3f", q.recall()));
    r.headline("keep F1", String.format("%.3f", q.f1()));
    r.headline("accuracy", String.format("%.3f", q.accuracy()));
    Map<String, Long> undecided = undecidedByFault;
    r.headline("undecided (no fault)", undecided.values().stream().mapToLong(Long::longValue).sum() + " ("
        + undecided.getOrDefault(NO_FAULT, 0L) + ")");
    Map<String, Double> kept = new LinkedHashMap<>();
    Map<String, Double> dropF1 = new LinkedHashMap<>();
    List<List<String>> rows = new ArrayList<>();
    q.perNoiseType().forEach((type, n) -> {
      kept.put(type, n.keptShare());
      n.drop().ifPresent(d -> dropF1.put(type, d.f1()));
      rows.add(List.of(type, n.matchesImage() ? "yes" : "no", Long.toString(n.rows()),
          String.format("%.3f", n.keptShare()),
          n.drop().map(d -> String.format("%.3f / %.3f / %.3f", d.precision(), d.recall(), d.f1())).orElse("")));
    });
    r.barChart("Share kept per noise type (ideal: 1 where the caption matches, 0 elsewhere)", kept, "kept");
    if (!dropF1.isEmpty()) {
      r.barChart("Noise detection F1 per noise type (a drop detects the noise; negatives: all matching rows)",
          dropF1, "F1");
    }
    r.table("Per noise type", List.of("noise", "matches image", "rows", "kept", "drop precision / recall / F1"),
        rows);
    r.table("Undecided rows by fault (no decision for the URL)", List.of("fault", "rows"),
        undecided.entrySet().stream().map(e -> List.of(e.getKey(), Long.toString(e.getValue()))).toList());

    Comparator<Decision> byScore = Comparator.comparingDouble(d -> d.score().orElse(0.5));
    List<Decision> falseKeeps = decisions.values().stream()
        .filter(d -> d.kept() && !truth.get(d.url()).matchesImage()).sorted(byScore.reversed()).limit(GALLERY)
        .toList();
    List<Decision> falseDrops = decisions.values().stream()
        .filter(d -> !d.kept() && truth.get(d.url()).matchesImage()).sorted(byScore).limit(GALLERY).toList();
    Map<String, Decision> rightDrops = new TreeMap<>();
    decisions.values().stream().filter(d -> !d.kept() && !truth.get(d.url()).matchesImage())
        .forEach(d -> rightDrops.putIfAbsent(truth.get(d.url()).noise(), d));
    r.gallery("Kept, but the caption does not match the image (the most confident keeps first)",
        items(falseKeeps, imageOf));
    r.gallery("Dropped, but the caption matches the image (the most confident drops first)",
        items(falseDrops, imageOf));
    r.gallery("Dropped rightly: one of each noise type", items(new ArrayList<>(rightDrops.values()), imageOf));
    return r;
  }

  private List<HtmlReport.Item> items(List<Decision> chosen, Function<WebTruth, byte[]> imageOf) {
    List<HtmlReport.Item> out = new ArrayList<>();
    for (Decision d : chosen) {
      WebTruth t = truth.get(d.url());
      out.add(HtmlReport.Item.of(imageOf.apply(t), List.of(
          "caption: " + (t.caption().isEmpty() ? "(empty)" : t.caption()),
          "noise: " + t.noise() + (t.matchesImage() ? " (matches)" : " (does not match)"),
          (d.kept() ? "kept" : "dropped") + d.score().stream().mapToObj(s -> String.format(", score %.3f", s))
              .findFirst().orElse(""))));
    }
    return out;
  }
}
