package io.sparkvlm.eval.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.clipeval.ClipEvaluator.Evaluation;
import io.sparkvlm.core.clipeval.ClipEvaluator.RetrievalOutcome;
import io.sparkvlm.core.clipeval.ClipEvaluator.TaskOutcome;
import io.sparkvlm.eval.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The HTML report of one model evaluation: headline numbers, training curves, charts, a gallery. */
final class ModelReport {
  private static final int CONFUSION_MAX_CLASSES = 20;

  private ModelReport() {}

  static HtmlReport build(String checkpoint, long step, Evaluation e, Map<String, Map<String, Double>> probes,
      List<JsonNode> trainingLog, int galleryItems) {
    HtmlReport r = new HtmlReport("spark-vlm model evaluation: " + checkpoint + " (step " + step + ")");
    Map<String, Double> m = e.metrics();
    for (TaskOutcome t : e.zeroShot()) {
      r.headline("zero-shot " + t.task().name() + " top-1", pct(m.get("zeroshot/" + t.task().name() + "/acc1")));
    }
    if (e.retrieval().isPresent()) {
      r.headline("image→text R@1 / R@5", pct(m.get("retrieval/image_to_text_R@1")) + " / "
          + pct(m.get("retrieval/image_to_text_R@5")));
      r.headline("text→image R@1 / R@5", pct(m.get("retrieval/text_to_image_R@1")) + " / "
          + pct(m.get("retrieval/text_to_image_R@5")));
    }
    probes.forEach((task, p) -> r.headline("linear probe " + task + " top-1", pct(p.get("acc1")) + " ("
        + (p.get("train_on_test_half") == 1.0 ? "trained on half the test images" : "trained on "
        + p.get("train_samples").intValue() + " training images") + ")"));

    addTrainingCurves(r, trainingLog, "Training loss (contrastive, per slice)");
    if (e.retrieval().isPresent()) {
      Map<String, Double> recall = new LinkedHashMap<>();
      for (int k : new int[] {1, 5, 10}) {
        recall.put("image→text R@" + k, m.get("retrieval/image_to_text_R@" + k));
        recall.put("text→image R@" + k, m.get("retrieval/text_to_image_R@" + k));
      }
      r.barChart("Retrieval recall@k (" + e.retrieval().get().set().images().size() + " images)", recall, "recall");
    }
    for (TaskOutcome t : e.zeroShot()) {
      List<String> classes = t.task().classes();
      int[] labels = t.task().labels();
      long[][] confusion = new long[classes.size()][classes.size()];
      int[] hits = new int[classes.size()];
      int[] counts = new int[classes.size()];
      for (int i = 0; i < labels.length; i++) {
        confusion[labels[i]][t.predictions()[i]]++;
        counts[labels[i]]++;
        hits[labels[i]] += labels[i] == t.predictions()[i] ? 1 : 0;
      }
      if (classes.size() <= CONFUSION_MAX_CLASSES) {
        Map<String, Double> perClass = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
          if (counts[c] > 0) {
            perClass.put(classes.get(c), hits[c] / (double) counts[c]);
          }
        }
        r.barChart("Zero-shot " + t.task().name() + ": accuracy per class (" + labels.length + " images)", perClass,
            "accuracy");
        r.confusionMatrix("Zero-shot " + t.task().name() + ": confusion matrix (rows: truth, columns: predicted)",
            classes, confusion);
      }
    }
    List<List<String>> rows = new ArrayList<>();
    m.forEach((k, v) -> rows.add(List.of(k, String.format("%.4f", v))));
    probes.forEach((task, p) -> p.forEach((k, v) -> rows.add(List.of("linear_probe/" + task + "/" + k,
        String.format("%.4f", v)))));
    r.table("All metrics", List.of("metric", "value"), rows);
    if (e.retrieval().isPresent() && galleryItems > 0) {
      RetrievalOutcome o = e.retrieval().get();
      List<HtmlReport.Item> items = new ArrayList<>();
      for (int i = 0; i < Math.min(galleryItems, o.set().images().size()); i++) {
        String best = o.captions().get(o.bestCaption()[i]);
        boolean right = o.set().captions().get(i).contains(best);
        byte[] image = o.set().images().get(i);
        items.add(HtmlReport.Item.of(image, List.of(
            (right ? "✓ " : "✗ ") + "retrieved: " + best, "truth: " + o.set().captions().get(i).get(0))));
      }
      r.gallery("Test images: the caption the model retrieves vs the truth", items);
    }
    r.table("Not evaluated", List.of("what", "why"), List.of(
        List.of("captioning (BLEU, ROUGE-L, CIDEr-D) and VQA accuracy", "a CLIP does not generate text: they are "
            + "evaluated for vision-language checkpoints; `vlm eval captions|vqa` score predictions from any model")));
    return r;
  }

  /** Loss and learning rate from a run's metrics log, and held-out recall@5 where the log has it. */
  static void addTrainingCurves(HtmlReport r, List<JsonNode> trainingLog, String lossTitle) {
    if (trainingLog.isEmpty()) {
      return;
    }
    List<Double> steps = new ArrayList<>();
    List<Double> loss = new ArrayList<>();
    List<Double> lr = new ArrayList<>();
    List<Double> evalSteps = new ArrayList<>();
    List<Double> i2t = new ArrayList<>();
    List<Double> t2i = new ArrayList<>();
    for (JsonNode n : trainingLog) {
      steps.add(n.path("step").asDouble());
      loss.add(n.path("loss").asDouble());
      lr.add(n.path("learning_rate").asDouble());
      if (n.has("retrieval/image_to_text_R@5")) {
        evalSteps.add(n.path("step").asDouble());
        i2t.add(n.path("retrieval/image_to_text_R@5").asDouble());
        t2i.add(n.path("retrieval/text_to_image_R@5").asDouble());
      }
    }
    r.lineChart(lossTitle, steps, Map.of("loss", loss), "loss");
    r.lineChart("Learning rate", steps, Map.of("learning rate", lr), "learning rate");
    if (!evalSteps.isEmpty()) {
      Map<String, List<Double>> series = new LinkedHashMap<>();
      series.put("image→text R@5", i2t);
      series.put("text→image R@5", t2i);
      r.lineChart("Held-out retrieval during training", evalSteps, series, "recall@5");
    }
  }

  static String pct(Double v) {
    return v == null ? "n/a" : String.format("%.1f%%", 100 * v);
  }
}
