package io.sparkvlm.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptionCheckTest {
  /** Two red circles, a blue plus sign, a green box. */
  static final List<Combo> SCENE = List.of(new Combo(Colour.RED, Shape.CIRCLE), new Combo(Colour.RED, Shape.CIRCLE),
      new Combo(Colour.BLUE, Shape.CROSS), new Combo(Colour.GREEN, Shape.SQUARE));

  private static CaptionCheck.Verdict judge(String caption) {
    return CaptionCheck.judge(SCENE, caption);
  }

  @Test
  void namedObjectsAreCheckedForColourShapeAndCount() {
    assertThat(judge("Two red circles, a blue plus sign and a large green box")).isEqualTo(CaptionCheck.Verdict.RIGHT);
    assertThat(judge("four shapes: two red discs and a small green square")).isEqualTo(CaptionCheck.Verdict.RIGHT);
    assertThat(judge("circles")).as("terse plural: more than one").isEqualTo(CaptionCheck.Verdict.RIGHT);
    assertThat(judge("blue cross")).as("terse, no count").isEqualTo(CaptionCheck.Verdict.RIGHT);
    assertThat(judge("two blue circles")).isEqualTo(CaptionCheck.Verdict.WRONG_COLOUR);
    assertThat(judge("a red star")).isEqualTo(CaptionCheck.Verdict.WRONG_SHAPE);
    assertThat(judge("three red circles")).isEqualTo(CaptionCheck.Verdict.WRONG_COUNT);
    assertThat(judge("a single red circle")).isEqualTo(CaptionCheck.Verdict.WRONG_COUNT);
    assertThat(judge("crosses")).as("plural of a lone object").isEqualTo(CaptionCheck.Verdict.WRONG_COUNT);
    assertThat(judge("two blue plus signs")).isEqualTo(CaptionCheck.Verdict.WRONG_COUNT);
    assertThat(judge("three shapes: two red circles")).isEqualTo(CaptionCheck.Verdict.WRONG_COUNT);
    assertThat(judge("two red circles with the word STAR written below")).as("a written word names no object")
        .isEqualTo(CaptionCheck.Verdict.RIGHT);
    assertThat(judge("click to enlarge")).isEqualTo(CaptionCheck.Verdict.NAMES_NO_OBJECT);
    assertThat(judge("")).isEqualTo(CaptionCheck.Verdict.NAMES_NO_OBJECT);
    assertThat(judge("a blue cross and a red star")).as("the first problem decides")
        .isEqualTo(CaptionCheck.Verdict.WRONG_SHAPE);
  }

  @Test
  void verdictsAreNamedInPlainWords() {
    assertThat(CaptionCheck.Verdict.WRONG_COLOUR.label()).isEqualTo("wrong colour");
    assertThat(CaptionCheck.Verdict.NAMES_NO_OBJECT.label()).isEqualTo("names no object");
  }

  @Test
  void sceneLinesReadAsSyntheticWorldWritesThem() throws Exception {
    JsonNode line = Json.MAPPER.readTree("{\"id\": \"web-1\", \"objects\": [{\"shape\": \"cross\", \"colour\": "
        + "\"blue\", \"size\": \"large\"}, {\"shape\": \"circle\", \"colour\": \"red\"}]}");
    assertThat(CaptionCheck.objects(line)).containsExactly(new Combo(Colour.BLUE, Shape.CROSS),
        new Combo(Colour.RED, Shape.CIRCLE));
    assertThatThrownBy(() -> CaptionCheck.objects(Json.MAPPER.readTree("{\"id\": \"web-2\", \"objects\": "
        + "[{\"shape\": \"circle\", \"colour\": \"teal\"}]}"))).hasMessageContaining("unknown colour 'teal'")
        .hasMessageContaining("web-2");
    assertThatThrownBy(() -> CaptionCheck.objects(Json.MAPPER.readTree("{\"id\": \"web-4\", \"objects\": "
        + "[{\"shape\": \"oval\", \"colour\": \"red\"}]}"))).hasMessageContaining("unknown shape 'oval'")
        .hasMessageContaining("web-4");
    assertThatThrownBy(() -> CaptionCheck.objects(Json.MAPPER.readTree("{\"id\": \"web-3\"}")))
        .hasMessageContaining("without an 'objects' array");
  }
}
