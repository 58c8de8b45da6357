package io.sparkvlm.eval;

import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.io.LocalFolders;
import io.sparkvlm.eval.report.HtmlReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code vlm eval captions} and {@code vlm eval vqa}: score predictions from any model given in the standard
 * formats; print the numbers and write {@code metrics.json} (stable keys) and {@code report.md}.
 */
public final class ScoreFiles {
  /** The file of a report folder with its numbers (stable keys); written with the rest, the folder moved in whole. */
  public static final String METRICS = "metrics.json";

  private ScoreFiles() {}

  /** {@code vlm eval captions}: COCO caption results against COCO annotations, read and scored once. */
  public static CaptionResults captions(String resultsFile, String annotationsFile) {
    return new CaptionResults(StandardFormats.cocoAnnotations(annotationsFile),
        StandardFormats.cocoResults(resultsFile));
  }

  /** {@code vlm eval captions}'s metrics.json. */
  public static Map<String, Object> captionsMetrics(CaptionResults r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "captions");
    out.put("images", r.references().size());
    out.put("scores", r.scores());
    return out;
  }

  /**
   * The HTML report of a captions evaluation: scores, and the best and worst images by CIDEr-D (images found
   * relative to the annotations file's folder or its parents).
   */
  public static HtmlReport captionsReport(CaptionResults results, String annotationsFile) {
    Map<String, String> files = StandardFormats.cocoImageFiles(annotationsFile);
    HtmlReport r = new HtmlReport("Captioning: " + results.candidates().size() + " images");
    results.addTo(r, id -> StandardFormats.findImage(annotationsFile, files.get(id)));
    return r;
  }

  /** {@code vlm eval vqa}: VQA v2 questions, annotations and results, read and scored once. */
  public static VqaResults vqa(String questionsFile, String annotationsFile, String resultsFile) {
    return new VqaResults(StandardFormats.vqaQuestions(questionsFile, annotationsFile),
        StandardFormats.vqaQuestionTexts(questionsFile), StandardFormats.vqaResults(resultsFile));
  }

  /**
   * The HTML report of a VQA evaluation: accuracy by type, and galleries of the questions answered worst and best
   * (the image, the question, the answer given, the ten human answers). VQA v2 files name images by id only:
   * {@code imagesFile}, a COCO-format JSON whose {@code images} give each id's {@code file_name} (COCO's own
   * annotations, whose image ids VQA v2 uses; the synthetic world's captions file), finds them, relative to it.
   */
  public static HtmlReport vqaReport(VqaResults results, Optional<String> imagesFile) {
    HtmlReport r = new HtmlReport("VQA: " + results.score().perQuestion().size() + " questions");
    results.addScores(r);
    Map<String, String> files = imagesFile.map(StandardFormats::cocoImageFiles).orElse(Map.of());
    results.addGalleries(r, id -> imagesFile.map(f -> StandardFormats.findImage(f, files.get(id))).orElse(null));
    return r;
  }

  /** {@code vlm eval filter}: a filter's decisions (JSON Lines) against the synthetic world's ground truth. */
  public static FilterResults filter(String decisionsFile, String groundTruthFile) {
    return new FilterResults(StandardFormats.webGroundTruth(groundTruthFile),
        io.sparkvlm.core.dataset.FilterDecisions.read(decisionsFile,
            io.sparkvlm.core.io.HadoopConfs.fromSystemProperties()));
  }

  /** {@code vlm eval detection}: COCO detection results against COCO instances (the detection-instances contract). */
  public static DetectionResults detection(String instancesFile, String resultsFile) {
    return new DetectionResults(StandardFormats.read(instancesFile), instancesFile,
        StandardFormats.read(resultsFile), resultsFile);
  }

  /** The detection report; images found relative to the instances file's folder or its parents. */
  public static HtmlReport detectionReport(DetectionResults results, String instancesFile) {
    return results.report(file -> StandardFormats.findImage(instancesFile, file));
  }

  /** The filter report; images found relative to the ground-truth file's folder or its parents. */
  public static HtmlReport filterReport(FilterResults results, String groundTruthFile) {
    return results.report(t -> StandardFormats.findImage(groundTruthFile, t.image()));
  }

  /** Writes metrics.json, report.md and (when given) report.html as the folder {@code dir}; returns the markdown. */
  public static String write(Map<String, Object> metrics, HtmlReport html, Path dir) throws IOException {
    return write(metrics, html, Map.of(), dir);
  }

  /**
   * As above, with {@code files} (name -> bytes, e.g. results in the standard formats) beside them. The folder
   * appears whole or not at all: everything is written into a hidden sibling first, which then replaces
   * {@code dir} (a report already there is moved aside and deleted once the new one is in place); on any error the
   * sibling is deleted and an existing report is left as it was.
   */
  public static String write(Map<String, Object> metrics, HtmlReport html, Map<String, byte[]> files, Path dir)
      throws IOException {
    StringBuilder md = new StringBuilder("# Evaluation: ").append(metrics.get("task")).append("\n\n");
    md.append("| metric | value |\n| --- | --- |\n");
    flatten("", metrics, md);
    LocalFolders.writeWhole(dir, staging -> {
      if (html != null) {
        html.write(staging);
      }
      Files.write(staging.resolve(METRICS), Json.MAPPER.writeValueAsBytes(metrics));
      Files.writeString(staging.resolve("report.md"), md.toString());
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Files.write(staging.resolve(f.getKey()), f.getValue());
      }
      return null;
    });
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
