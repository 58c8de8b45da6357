package io.sparkvlm.eval;

import io.sparkvlm.core.io.Json;
import io.sparkvlm.eval.metrics.CaptionScores;
import io.sparkvlm.eval.metrics.CaptionTokenizer;
import io.sparkvlm.eval.metrics.VqaAccuracy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.sparkvlm.eval.report.HtmlReport;

/**
 * {@code vlm eval captions} and {@code vlm eval vqa}: score predictions from any model given in the standard
 * formats; print the numbers and write {@code metrics.json} (stable keys) and {@code report.md}.
 */
public final class ScoreFiles {
  private ScoreFiles() {}

  public static Map<String, Object> captions(String resultsFile, String annotationsFile) {
    Map<String, List<String>> refs = StandardFormats.cocoAnnotations(annotationsFile);
    Map<String, String> results = StandardFormats.cocoResults(resultsFile);
    Map<String, List<String>> tokRefs = new LinkedHashMap<>();
    Map<String, String> tokRes = new LinkedHashMap<>();
    for (String id : refs.keySet()) {
      List<String> r = new ArrayList<>();
      refs.get(id).forEach(c -> r.add(CaptionTokenizer.tokenize(c)));
      tokRefs.put(id, r);
      if (results.containsKey(id)) {
        tokRes.put(id, CaptionTokenizer.tokenize(results.get(id)));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "captions");
    out.put("images", refs.size());
    Map<String, Double> scores = CaptionScores.all(tokRefs, tokRes);
    out.put("scores", scores);
    return out;
  }

  /** The HTML report of a captions evaluation: scores, and the best and worst images by CIDEr-D. */
  public static HtmlReport captionsReport(String resultsFile, String annotationsFile, Map<String, Object> metrics) {
    Map<String, List<String>> refs = StandardFormats.cocoAnnotations(annotationsFile);
    Map<String, String> results = StandardFormats.cocoResults(resultsFile);
    Map<String, List<String>> tokRefs = new LinkedHashMap<>();
    Map<String, String> tokRes = new LinkedHashMap<>();
    refs.forEach((id, rs) -> {
      tokRefs.put(id, rs.stream().map(CaptionTokenizer::tokenize).toList());
      tokRes.put(id, CaptionTokenizer.tokenize(results.get(id)));
    });
    Map<String, Double> perImage = CaptionScores.ciderDPerImage(tokRefs, tokRes);
    @SuppressWarnings("unchecked")
    Map<String, Double> scores = (Map<String, Double>) metrics.get("scores");
    HtmlReport r = new HtmlReport("Captioning: " + results.size() + " images");
    r.headline("CIDEr-D", String.format("%.3f", scores.get("CIDEr")));
    r.headline("BLEU-4", String.format("%.3f", scores.get("Bleu_4")));
    r.headline("ROUGE-L", String.format("%.3f", scores.get("ROUGE_L")));
    r.barChart("Scores (pycocoevalcap definitions)", scores, "score");
    List<String> ids = new ArrayList<>(perImage.keySet());
    ids.sort((a, b) -> Double.compare(perImage.get(b), perImage.get(a)));
    Map<String, String> files = StandardFormats.cocoImageFiles(annotationsFile);
    r.gallery("Best by CIDEr-D", items(ids.subList(0, Math.min(6, ids.size())), results, refs, perImage, files,
        annotationsFile));
    r.gallery("Worst by CIDEr-D", items(ids.subList(Math.max(0, ids.size() - 6), ids.size()), results, refs,
        perImage, files, annotationsFile));
    return r;
  }

  private static List<HtmlReport.Item> items(List<String> ids, Map<String, String> results,
      Map<String, List<String>> refs, Map<String, Double> cider, Map<String, String> files, String annotationsFile) {
    List<HtmlReport.Item> out = new ArrayList<>();
    for (String id : ids) {
      List<String> lines = new ArrayList<>();
      lines.add("image " + id + ", CIDEr-D " + String.format("%.2f", cider.get(id)));
      lines.add("generated: " + results.get(id));
      lines.add("reference: " + refs.get(id).get(0));
      byte[] image = StandardFormats.findImage(annotationsFile, files.get(id));
      out.add(HtmlReport.Item.of(image, lines));
    }
    return out;
  }

  /**
   * The HTML report of a VQA evaluation: accuracy by type, and galleries of the questions answered worst and best
   * (the image, the question, the answer given, the ten human answers). VQA v2 files name images by id only:
   * {@code imagesFile}, a COCO-format JSON whose {@code images} give each id's {@code file_name} (COCO's own
   * annotations, whose image ids VQA v2 uses; the synthetic world's captions file), finds them, relative to it.
   */
  public static HtmlReport vqaReport(String questionsFile, String annotationsFile, String resultsFile,
      java.util.Optional<String> imagesFile, Map<String, Object> metrics) {
    HtmlReport r = vqaReport(metrics);
    List<VqaAccuracy.Question> questions = StandardFormats.vqaQuestions(questionsFile, annotationsFile);
    Map<Long, String> answers = StandardFormats.vqaResults(resultsFile);
    Map<Long, Double> accuracy = VqaAccuracy.evaluate(questions, answers).perQuestion();
    Map<Long, StandardFormats.VqaQuestionText> texts = StandardFormats.vqaQuestionTexts(questionsFile);
    Map<String, String> files = imagesFile.map(StandardFormats::cocoImageFiles).orElse(Map.of());
    List<VqaAccuracy.Question> byAccuracy = new ArrayList<>(questions);
    byAccuracy.sort(java.util.Comparator.comparingDouble((VqaAccuracy.Question q) -> accuracy.get(q.questionId()))
        .thenComparingLong(VqaAccuracy.Question::questionId));
    int n = Math.min(6, byAccuracy.size());
    r.gallery("Answered worst", vqaItems(byAccuracy.subList(0, n), answers, accuracy, texts, files, imagesFile));
    List<VqaAccuracy.Question> best = new ArrayList<>(byAccuracy.subList(byAccuracy.size() - n, byAccuracy.size()));
    java.util.Collections.reverse(best);
    r.gallery("Answered best", vqaItems(best, answers, accuracy, texts, files, imagesFile));
    return r;
  }

  private static List<HtmlReport.Item> vqaItems(List<VqaAccuracy.Question> questions, Map<Long, String> answers,
      Map<Long, Double> accuracy, Map<Long, StandardFormats.VqaQuestionText> texts, Map<String, String> files,
      java.util.Optional<String> imagesFile) {
    List<HtmlReport.Item> out = new ArrayList<>();
    for (VqaAccuracy.Question q : questions) {
      StandardFormats.VqaQuestionText t = texts.get(q.questionId());
      Map<String, Long> humans = new java.util.TreeMap<>();
      q.answers().forEach(a -> humans.merge(a, 1L, Long::sum));
      StringBuilder h = new StringBuilder("humans:");
      humans.forEach((a, c) -> h.append(' ').append(a).append(c > 1 ? " x" + c : "").append(';'));
      List<String> lines = List.of("Q: " + t.question(),
          "answer: " + answers.getOrDefault(q.questionId(), "(none)") + " (accuracy "
              + String.format("%.2f", accuracy.get(q.questionId())) + ")",
          h.substring(0, h.length() - 1), "image " + t.imageId() + ", " + q.questionType());
      byte[] image = imagesFile.map(f -> StandardFormats.findImage(f, files.get(t.imageId()))).orElse(null);
      out.add(HtmlReport.Item.of(image, lines));
    }
    return out;
  }

  /** The VQA report's headline numbers and charts. */
  static HtmlReport vqaReport(Map<String, Object> metrics) {
    HtmlReport r = new HtmlReport("VQA: " + metrics.get("questions") + " questions");
    r.headline("accuracy (VQA v2)", String.format("%.2f", (Double) metrics.get("overall")));
    @SuppressWarnings("unchecked")
    Map<String, Double> qt = (Map<String, Double>) metrics.get("per_question_type");
    @SuppressWarnings("unchecked")
    Map<String, Double> at = (Map<String, Double>) metrics.get("per_answer_type");
    at.forEach((k, v) -> r.headline(k, String.format("%.2f", v)));
    r.barChart("Accuracy per answer type", at, "accuracy (%)");
    r.barChart("Accuracy per question type", qt, "accuracy (%)");
    return r;
  }

  public static Map<String, Object> vqa(String questionsFile, String annotationsFile, String resultsFile) {
    VqaAccuracy.Result r = VqaAccuracy.evaluate(StandardFormats.vqaQuestions(questionsFile, annotationsFile),
        StandardFormats.vqaResults(resultsFile));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "vqa");
    out.put("questions", r.perQuestion().size());
    out.put("overall", r.overall());
    out.put("per_question_type", r.perQuestionType());
    out.put("per_answer_type", r.perAnswerType());
    return out;
  }

  /** Writes metrics.json, report.md and (when given) report.html into {@code dir}; returns the markdown. */
  public static String write(Map<String, Object> metrics, HtmlReport html, Path dir) throws IOException {
    Files.createDirectories(dir);
    if (html != null) {
      html.write(dir);
    }
    Files.write(dir.resolve("metrics.json"), Json.MAPPER.writeValueAsBytes(metrics));
    StringBuilder md = new StringBuilder("# Evaluation: ").append(metrics.get("task")).append("\n\n");
    md.append("| metric | value |\n| --- | --- |\n");
    flatten("", metrics, md);
    Files.writeString(dir.resolve("report.md"), md.toString());
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> m, StringBuilder md) {
    m.forEach((k, v) -> {
      if (k.equals("task")) {
        return;
      }
      String name = prefix.isEmpty() ? k : prefix + " / " + k;
      if (v instanceof Map<?, ?> sub) {
        flatten(name, (Map<String, Object>) sub, md);
      } else {
        md.append("| ").append(name).append(" | ").append(v instanceof Double d ? String.format("%.4f", d) : v)
            .append(" |\n");
      }
    });
  }
}
