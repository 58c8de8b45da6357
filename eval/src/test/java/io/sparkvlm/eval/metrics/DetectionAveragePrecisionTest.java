package io.sparkvlm.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.eval.metrics.DetectionAveragePrecision.Detection;
import io.sparkvlm.eval.metrics.DetectionAveragePrecision.GroundTruth;
import io.sparkvlm.eval.metrics.DetectionAveragePrecision.Result;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against pycocotools' COCOeval run on the same ground truth and results (golden/detection.json). */
class DetectionAveragePrecisionTest {
  static JsonNode golden;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = DetectionAveragePrecisionTest.class.getResourceAsStream("/golden/detection.json")) {
      golden = Json.MAPPER.readTree(in);
    }
  }

  @Test
  void equalsPycocotoolsOnEveryCase() {
    assertThat(golden.get("cases")).hasSize(3);
    for (JsonNode c : golden.get("cases")) {
      Result r = evaluate(c);
      JsonNode e = c.get("expected");
      String name = c.get("name").asText();
      assertThat(r.ap()).as(name + " AP").isCloseTo(e.get("AP").asDouble(), within(1e-12));
      assertThat(r.ap50()).as(name + " AP50").isCloseTo(e.get("AP50").asDouble(), within(1e-12));
      assertThat(r.ap75()).as(name + " AP75").isCloseTo(e.get("AP75").asDouble(), within(1e-12));
      assertThat(r.ar100()).as(name + " AR100").isCloseTo(e.get("AR100").asDouble(), within(1e-12));
      e.get("per_category").fields().forEachRemaining(p -> assertThat(
          r.perCategory().get(Integer.parseInt(p.getKey()))).as(name + " category " + p.getKey())
          .isCloseTo(p.getValue().asDouble(), within(1e-12)));
    }
  }

  @Test
  void theHandMadeCaseIsNeitherPerfectNorZero() {
    // the fixture exercises partial credit: duplicates, a near miss, a crowd box, an image without boxes
    double ap = evaluate(golden.get("cases").get(0)).ap();
    assertThat(ap).isBetween(0.1, 0.9);
  }

  @Test
  void perfectDetectionsScoreOne() {
    List<GroundTruth> truth = List.of(new GroundTruth(1, 1, new double[] {0, 0, 10, 10}, false),
        new GroundTruth(2, 2, new double[] {5, 5, 20, 10}, false));
    List<Detection> dets = List.of(new Detection(1, 1, new double[] {0, 0, 10, 10}, 0.5),
        new Detection(2, 2, new double[] {5, 5, 20, 10}, 0.9));
    Result r = DetectionAveragePrecision.evaluate(List.of(1L, 2L), List.of(1, 2), truth, dets);
    // precision is tp / (tp + fp + eps), as in pycocotools: 1 - 2^-53 for a perfect run
    assertThat(r.ap()).isCloseTo(1.0, within(1e-12));
    assertThat(r.ar100()).isEqualTo(1.0);
  }

  @Test
  void refusesADetectionOnAnUnknownImage() {
    assertThatThrownBy(() -> DetectionAveragePrecision.evaluate(List.of(1L), List.of(1), List.of(),
        List.of(new Detection(9, 1, new double[] {0, 0, 1, 1}, 0.5))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image 9");
  }

  static Result evaluate(JsonNode c) {
    List<Long> images = new ArrayList<>();
    c.get("images").forEach(i -> images.add(i.asLong()));
    List<Integer> categories = new ArrayList<>();
    c.get("categories").forEach(i -> categories.add(i.asInt()));
    List<GroundTruth> truth = new ArrayList<>();
    for (JsonNode a : c.get("annotations")) {
      truth.add(new GroundTruth(a.get("image_id").asLong(), a.get("category_id").asInt(), box(a.get("bbox")),
          a.get("iscrowd").asInt() == 1));
    }
    List<Detection> dets = new ArrayList<>();
    for (JsonNode d : c.get("results")) {
      dets.add(new Detection(d.get("image_id").asLong(), d.get("category_id").asInt(), box(d.get("bbox")),
          d.get("score").asDouble()));
    }
    return DetectionAveragePrecision.evaluate(images, categories, truth, dets);
  }

  static double[] box(JsonNode b) {
    double[] v = new double[4];
    for (int i = 0; i < 4; i++) {
      v[i] = b.get(i).asDouble();
    }
    return v;
  }
}
