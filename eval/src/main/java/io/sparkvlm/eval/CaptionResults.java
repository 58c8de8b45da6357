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
 * @param scored the scores, computed once when the results are made
 */
public record CaptionResults(Map<String, List<String>> references, Map<String, String> candidates,
    Scored scored) {
  private static final int GALLERY = 6;

  /** Corpus scores (Bleu_1..4, ROUGE_L, CIDEr) and CIDEr-D per image. */
  public record Scored(Map<String, Double> corpus, Map<String, Double> ciderPerImage) {}

  /** Scores the candidates; an image without a caption, or a caption without references, is an error. */
  public CaptionResults(Map<String, List<String>> references, Map<String, String> candidates) {
    this(references, candidates, score(references, candidates));
  }

  private static Scored score(Map<String, List<String>> references, Map<String, String> candidates) {
    Map<String, List<String>> refs = new LinkedHashMap<>();
    references.forEach((id, rs) -> refs.put(id, rs.stream().map(CaptionTokenizer::tokenize).toList()));
    Map<String, String> cands = new LinkedHashMap<>();
    candidates.forEach((id, c) -> cands.put(id, CaptionTokenizer.tokenize(c)));
    return new Scored(CaptionScores.all(refs, cands), CaptionScores.ciderDPerImage(refs, cands));
  }

  /** Bleu_1..4, ROUGE_L, CIDEr (pycocoevalcap's names). */
  public Map<String, Double> scores() {
    return scored.corpus();
  }

  /** CIDEr-D of each image. */
  public Map<String, Double> ciderPerImage() {
    return scored.ciderPerImage();
  }

  /** Headline numbers, a chart of the scores, and the best and worst images by CIDEr-D with their captions. */
  public void addTo(HtmlReport r, Function<String, byte[]> imageOf) {
    Map<String, Double> scores = scores();
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
}
