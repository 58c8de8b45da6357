package io.sparkvlm.eval;

import io.sparkvlm.eval.metrics.VqaAccuracy;
import io.sparkvlm.eval.report.HtmlReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Answers scored with the official VQA v2 accuracy, and their report sections; the same for {@code vlm eval vqa}
 * (files) and {@code vlm eval model} (a VLM's answers).
 *
 * @param questions the annotated questions (human answers, question and answer types)
 * @param texts question id -> its image id and text
 * @param answers question id -> the answer given
 * @param score the accuracy, computed once when the results are made
 */
public record VqaResults(List<VqaAccuracy.Question> questions, Map<Long, StandardFormats.VqaQuestionText> texts,
    Map<Long, String> answers, VqaAccuracy.Result score) {
  private static final int GALLERY = 6;

  /** Scores the answers. */
  public VqaResults(List<VqaAccuracy.Question> questions, Map<Long, StandardFormats.VqaQuestionText> texts,
      Map<Long, String> answers) {
    this(questions, texts, answers, VqaAccuracy.evaluate(questions, answers));
  }

  /** {@code vlm eval vqa}'s metrics.json keys. */
  public Map<String, Object> metrics() {
    VqaAccuracy.Result r = score;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "vqa");
    out.put("questions", r.perQuestion().size());
    out.put("overall", r.overall());
    out.put("per_question_type", r.perQuestionType());
    out.put("per_answer_type", r.perAnswerType());
    return out;
  }

  /** Headline numbers, charts per answer and question type. */
  public void addScores(HtmlReport r) {
    VqaAccuracy.Result result = score;
    r.headline("VQA accuracy (VQA v2)", String.format("%.2f", result.overall()));
    result.perAnswerType().forEach((k, v) -> r.headline("VQA " + k, String.format("%.2f", v)));
    r.barChart("VQA accuracy per answer type", result.perAnswerType(), "accuracy (%)");
    r.barChart("VQA accuracy per question type", result.perQuestionType(), "accuracy (%)");
  }

  /**
   * Galleries of the questions answered worst and best: the image ({@code imageOf} an image id, null when not
   * found), the question, the answer given with its accuracy, the ten human answers.
   */
  public void addGalleries(HtmlReport r, Function<String, byte[]> imageOf) {
    Map<Long, Double> accuracy = score.perQuestion();
    List<VqaAccuracy.Question> byAccuracy = new ArrayList<>(questions);
    byAccuracy.sort(Comparator.comparingDouble((VqaAccuracy.Question q) -> accuracy.get(q.questionId()))
        .thenComparingLong(VqaAccuracy.Question::questionId));
    int n = Math.min(GALLERY, byAccuracy.size());
    r.gallery("Answered worst", items(byAccuracy.subList(0, n), accuracy, imageOf));
    List<VqaAccuracy.Question> best = new ArrayList<>(byAccuracy.subList(byAccuracy.size() - n, byAccuracy.size()));
    Collections.reverse(best);
    r.gallery("Answered best", items(best, accuracy, imageOf));
  }

  private List<HtmlReport.Item> items(List<VqaAccuracy.Question> chosen, Map<Long, Double> accuracy,
      Function<String, byte[]> imageOf) {
    List<HtmlReport.Item> out = new ArrayList<>();
    for (VqaAccuracy.Question q : chosen) {
      StandardFormats.VqaQuestionText t = texts.get(q.questionId());
      Map<String, Long> humans = new TreeMap<>();
      q.answers().forEach(a -> humans.merge(a, 1L, Long::sum));
      StringBuilder h = new StringBuilder("humans:");
      humans.forEach((a, c) -> h.append(' ').append(a).append(c > 1 ? " x" + c : "").append(';'));
      List<String> lines = List.of("Q: " + t.question(),
          "answer: " + answers.getOrDefault(q.questionId(), "(none)") + " (accuracy "
              + String.format("%.2f", accuracy.get(q.questionId())) + ")",
          h.substring(0, h.length() - 1), "image " + t.imageId() + ", " + q.questionType());
      out.add(HtmlReport.Item.of(imageOf.apply(t.imageId()), lines));
    }
    return out;
  }
}
