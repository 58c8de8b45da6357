package io.sparkvlm.eval;

import io.sparkvlm.eval.metrics.CaptionScores;
import io.sparkvlm.eval.metrics.CaptionTokenizer;
import io.sparkvlm.eval.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Generated captions scored against references (pycocoevalcap's BLEU-1..4, ROUGE-L, CIDEr-D on PTB-tokenised text),
 * and their report sections; the same for {@code vlm eval captions} (files) and {@code vlm eval model} (a VLM's
 * captions).
 *
 * @param references image id -> reference captions
 * @param candidates image id -> the generated caption, one for every image with references
 */
public record CaptionResults(Map<String, List<String>> references, Map<String, String> candidates) {
  private static final int GALLERY = 6;

  /** Bleu_1..4, ROUGE_L, CIDEr; an image without a caption, or a caption without references, is an error. */
  public Map<String, Double> scores() {
    return CaptionScores.all(tokenized(references), tokenizedCandidates());
  }

  /** CIDEr-D of each image. */
  public Map<String, Double> ciderPerImage() {
    return CaptionScores.ciderDPerImage(tokenized(references), tokenizedCandidates());
  }

  /** Headline numbers, a chart of the scores, and the best and worst images by CIDEr-D with their captions. */
  public void addTo(HtmlReport r, Map<String, Double> scores, Function<String, byte[]> imageOf) {
    r.headline("CIDEr-D", String.format("%.3f", scores.get("CIDEr")));
    r.headline("BLEU-4", String.format("%.3f", scores.get("Bleu_4")));
    r.headline("ROUGE-L", String.format("%.3f", scores.get("ROUGE_L")));
    r.barChart("Captioning scores (pycocoevalcap definitions, " + candidates.size() + " images)", scores, "score");
    Map<String, Double> perImage = ciderPerImage();
    List<String> ids = new ArrayList<>(perImage.keySet());
    ids.sort((a, b) -> Double.compare(perImage.get(b), perImage.get(a)));
    r.gallery("Best by CIDEr-D", items(ids.subList(0, Math.min(GALLERY, ids.size())), perImage, imageOf));
    r.gallery("Worst by CIDEr-D", items(ids.subList(Math.max(0, ids.size() - GALLERY), ids.size()),
        perImage, imageOf));
  }

  private List<HtmlReport.Item> items(List<String> ids, Map<String, Double> cider, Function<String, byte[]> imageOf) {
    List<HtmlReport.Item> out = new ArrayList<>();
    for (String id : ids) {
      out.add(HtmlReport.Item.of(imageOf.apply(id), List.of(
          "image " + id + ", CIDEr-D " + String.format("%.2f", cider.get(id)),
          "generated: " + candidates.get(id),
          "reference: " + references.get(id).get(0))));
    }
    return out;
  }

  private Map<String, String> tokenizedCandidates() {
    Map<String, String> out = new LinkedHashMap<>();
    candidates.forEach((id, c) -> out.put(id, CaptionTokenizer.tokenize(c)));
    return out;
  }

  private static Map<String, List<String>> tokenized(Map<String, List<String>> refs) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    refs.forEach((id, rs) -> out.put(id, rs.stream().map(CaptionTokenizer::tokenize).toList()));
    return out;
  }
}
