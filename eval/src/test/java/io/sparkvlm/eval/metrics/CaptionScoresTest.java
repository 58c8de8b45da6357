package io.sparkvlm.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against golden values from the reference implementations (scripts/fixtures/make_metric_goldens.py: Stanford
 * PTBTokenizer 3.4.1 as pycocoevalcap calls it, then pycocoevalcap's BLEU, ROUGE-L and CIDEr-D).
 */
class CaptionScoresTest {
  static JsonNode golden;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = CaptionScoresTest.class.getResourceAsStream("/golden/captions.json")) {
      golden = Json.MAPPER.readTree(in);
    }
  }

  @Test
  void tokenisesAsStanfordsPtbTokenizerWithPycocoevalcapsPunctuationFilter() {
    int checked = 0;
    for (var e : (Iterable<Map.Entry<String, JsonNode>>) golden.get("tokens")::fields) {
      assertThat(CaptionTokenizer.tokenize(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().asText());
      checked++;
    }
    assertThat(checked).isGreaterThan(15);
  }

  @Test
  void scoresMatchPycocoevalcapOnEveryCase() {
    for (JsonNode c : golden.get("cases")) {
      Map<String, List<String>> refs = new LinkedHashMap<>();
      Map<String, String> cands = new LinkedHashMap<>();
      for (JsonNode id : c.get("images")) {
        List<String> r = new ArrayList<>();
        golden.get("references").get(id.asText()).forEach(x -> r.add(CaptionTokenizer.tokenize(x.asText())));
        refs.put(id.asText(), r);
        cands.put(id.asText(), CaptionTokenizer.tokenize(golden.get("candidates").get(id.asText()).asText()));
      }
      Map<String, Double> scores = CaptionScores.all(refs, cands);
      c.get("scores").fields().forEachRemaining(e -> assertThat(scores.get(e.getKey()))
          .as(c.get("images") + " " + e.getKey()).isCloseTo(e.getValue().asDouble(), within(1e-12)));
    }
  }

  @Test
  void edgeCases() {
    // an empty candidate scores zero everywhere but BLEU's tiny epsilon
    Map<String, Double> empty = CaptionScores.all(Map.of("a", List.of("a red circle")), Map.of("a", ""));
    assertThat(empty.get("ROUGE_L")).isZero();
    assertThat(empty.get("Bleu_1")).isLessThan(1e-6);
    // one reference, perfect match: BLEU 1 (minus epsilons), ROUGE-L 1
    Map<String, Double> same = CaptionScores.all(Map.of("a", List.of("a red circle"), "b", List.of("two blue boxes")),
        Map.of("a", "a red circle", "b", "two blue boxes"));
    assertThat(same.get("Bleu_1")).isCloseTo(1.0, within(1e-8));
    assertThat(same.get("ROUGE_L")).isEqualTo(1.0);
    // three-word captions have no 4-grams: that order contributes 0, so a perfect match scores 10 * 3/4
    assertThat(same.get("CIDEr")).isCloseTo(7.5, within(1e-9));
    assertThatThrownBy(() -> CaptionScores.all(Map.of("a", List.of("x")), Map.of("b", "x")))
        .hasMessageContaining("no candidate for 1 images (e.g. a)");
  }
}
