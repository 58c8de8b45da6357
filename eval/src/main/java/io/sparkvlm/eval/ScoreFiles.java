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
    out.put("scores", CaptionScores.all(tokRefs, tokRes));
    return out;
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

  /** Writes metrics.json and report.md into {@code dir}; returns the markdown. */
  public static String write(Map<String, Object> metrics, Path dir) throws IOException {
    Files.createDirectories(dir);
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
