package io.sparkvlm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two levels of scoring on a hand-made instances file: categories (shapes) and combination groups. */
class DetectionResultsTest {
  /** Two images: a red star (seen) and a purple star (unboxed) on image 1, a red star (held out here) on 2. */
  static ObjectNode instances() {
    ObjectNode coco = Json.MAPPER.createObjectNode();
    coco.putArray("images").add(Json.MAPPER.createObjectNode().put("id", 1).put("file_name", "a.jpg"))
        .add(Json.MAPPER.createObjectNode().put("id", 2).put("file_name", "b.jpg"));
    coco.putArray("categories").add(Json.MAPPER.createObjectNode().put("id", 4).put("name", "star"));
    ArrayNode combos = coco.putArray("combinations");
    combos.addObject().put("name", "red star").put("category_id", 4).put("boxed_in_training", true)
        .put("held_out", false);
    combos.addObject().put("name", "purple star").put("category_id", 4).put("boxed_in_training", false)
        .put("held_out", false);
    combos.addObject().put("name", "pink star").put("category_id", 4).put("boxed_in_training", false)
        .put("held_out", true);
    ArrayNode a = coco.putArray("annotations");
    a.add(annotation(1, 1, "red star", 2, 2, 10, 10));
    a.add(annotation(2, 1, "purple star", 30, 30, 12, 12));
    a.add(annotation(3, 2, "pink star", 5, 20, 10, 8));
    return coco;
  }

  static ObjectNode annotation(int id, int image, String combination, double x, double y, double w, double h) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("id", id).put("image_id", image).put("category_id", 4)
        .put("iscrowd", 0).put("area", w * h).put("combination", combination);
    n.putArray("bbox").add(x).add(y).add(w).add(h);
    return n;
  }

  static ObjectNode result(int image, String combination, double x, double y, double w, double h, double score) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("image_id", image).put("category_id", 4).put("score", score);
    n.putArray("bbox").add(x).add(y).add(w).add(h);
    if (combination != null) {
      n.put("combination", combination);
    }
    return n;
  }

  @Test
  void scoresEachCombinationGroupApart() {
    ArrayNode results = Json.MAPPER.createArrayNode();
    // the seen red star found exactly; the purple star found under the wrong query; the pink star missed
    results.add(result(1, "red star", 2, 2, 10, 10, 0.9));
    results.add(result(1, "red star", 30, 30, 12, 12, 0.8));
    results.add(result(2, "purple star", 40, 40, 5, 5, 0.7));
    DetectionResults r = new DetectionResults(instances(), "instances", results, "results");
    assertThat(r.byGroup().get(DetectionResults.Group.SEEN).ap50()).isCloseTo(1.0, within(1e-12));
    assertThat(r.byGroup().get(DetectionResults.Group.UNBOXED).ap50()).isEqualTo(0.0);
    assertThat(r.byGroup().get(DetectionResults.Group.HELD_OUT).ap50()).isEqualTo(0.0);
    // as shapes, both stars of image 1 are found: 2 of 3 boxes, the two hits ranked first
    assertThat(r.byCategory().ap50()).isGreaterThan(0.6).isLessThan(0.7);
    Map<String, Object> m = r.metrics();
    assertThat(m).containsKeys("category/AP", "combination/seen/AP50", "combination/unboxed/AP50",
        "combination/held-out/AP50");
    assertThat(r.report(f -> null).html()).contains("AP50 per combination group");
    // a model whose scores stay under the gallery's 0.3 still shows its best box per true box, named and scored
    ArrayNode low = Json.MAPPER.createArrayNode();
    low.add(result(1, "red star", 2, 2, 10, 10, 0.2));
    low.add(result(1, "red star", 30, 30, 12, 12, 0.1));
    low.add(result(1, "red star", 50, 50, 3, 3, 0.05));
    String html = new DetectionResults(instances(), "instances", low, "results").report(f -> null).html();
    assertThat(html).contains("0 detections scored at least 0.3; drawn:").contains("red star 0.200")
        .contains("red star 0.100").doesNotContain("red star 0.050");
  }

  @Test
  void resultsWithoutCombinationsAreScoredPerCategoryOnly() {
    ArrayNode results = Json.MAPPER.createArrayNode();
    results.add(result(1, null, 2, 2, 10, 10, 0.9));
    DetectionResults r = new DetectionResults(instances(), "instances", results, "results");
    assertThat(r.byGroup()).isEmpty();
    assertThat(r.metrics()).doesNotContainKey("combination/seen/AP50");
  }

  @Test
  void refusesResultsThatDoNotFitTheInstances() {
    ArrayNode mixed = Json.MAPPER.createArrayNode();
    mixed.add(result(1, "red star", 2, 2, 10, 10, 0.9));
    mixed.add(result(1, null, 2, 2, 10, 10, 0.9));
    assertThatThrownBy(() -> new DetectionResults(instances(), "instances", mixed, "results.json"))
        .hasMessageContaining("1 of 2 results name a combination");
    ArrayNode unknown = Json.MAPPER.createArrayNode();
    unknown.add(result(1, "green star", 2, 2, 10, 10, 0.9));
    assertThatThrownBy(() -> new DetectionResults(instances(), "instances", unknown, "results.json"))
        .hasMessageContaining("'green star'");
    ArrayNode elsewhere = Json.MAPPER.createArrayNode();
    elsewhere.add(result(9, null, 2, 2, 10, 10, 0.9));
    assertThatThrownBy(() -> new DetectionResults(instances(), "instances", elsewhere, "results.json"))
        .hasMessageContaining("image 9");
    JsonNode notCoco = Json.MAPPER.createObjectNode();
    assertThatThrownBy(() -> new DetectionResults(notCoco, "x.json", elsewhere, "results.json"))
        .hasMessageContaining("x.json is not COCO instances");
    // corners in place of a size, a null score, a null coordinate, a fractional category: refused, not scored as
    // boxes that overlap nothing, a score of 0, a zero-size box or category 1
    ArrayNode corners = Json.MAPPER.createArrayNode().add(result(1, null, 12, 12, -10, -10, 0.9));
    assertThatThrownBy(() -> new DetectionResults(instances(), "instances", corners, "results.json"))
        .hasMessageContaining("negative width or height");
    ObjectNode nullScore = result(1, null, 2, 2, 10, 10, 0.9);
    nullScore.putNull("score");
    assertThatThrownBy(() -> new DetectionResults(instances(), "instances", Json.MAPPER.createArrayNode()
        .add(nullScore), "results.json")).hasMessageContaining("score a finite number");
    ObjectNode nullSide = result(1, null, 2, 2, 10, 10, 0.9);
    ((ArrayNode) nullSide.get("bbox")).set(2, Json.MAPPER.nullNode());
    assertThatThrownBy(() -> new DetectionResults(instances(), "instances", Json.MAPPER.createArrayNode()
        .add(nullSide), "results.json")).hasMessageContaining("four finite numbers");
    ObjectNode fractional = result(1, null, 2, 2, 10, 10, 0.9).put("category_id", 4.5);
    assertThatThrownBy(() -> new DetectionResults(instances(), "instances", Json.MAPPER.createArrayNode()
        .add(fractional), "results.json")).hasMessageContaining("must be integers");
    // 4.0 is category 4, as pycocotools' dictionaries take it
    ObjectNode whole = result(1, null, 2, 2, 10, 10, 0.9).put("category_id", 4.0);
    new DetectionResults(instances(), "instances", Json.MAPPER.createArrayNode().add(whole), "results.json");
  }
}
