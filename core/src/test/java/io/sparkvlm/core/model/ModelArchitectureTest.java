package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.VisionFeatures;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelArchitectureTest {
  static final ClipShape NANO = ClipShape.preset("nano");
  static final ClipShape CUSTOM = new ClipShape("clip-custom", NANO.vision(), NANO.text(), 48, 16, 24, 300, 16);

  @Test
  void everyKindReadsBackAsWritten() throws Exception {
    List<ModelArchitecture> all = List.of(new ModelArchitecture.Clip(NANO), new ModelArchitecture.Clip(CUSTOM),
        new ModelArchitecture.Language(LanguageModel.Shape.of(CUSTOM)), new ModelArchitecture.Matching(NANO),
        new ModelArchitecture.VisionLanguage(VisionLanguageModel.Shape.of(CUSTOM, new Connector.Mlp2xGelu())),
        new ModelArchitecture.VisionLanguage(new VisionLanguageModel.Shape("vlm-r", NANO, new Connector.Resampler(5),
            VisionFeatures.CLS_PATCH)),
        new ModelArchitecture.VisionLanguage(VisionLanguageModel.Shape.of(NANO, new Connector.Linear())));
    for (ModelArchitecture a : all) {
      // through bytes, as a manifest stores it
      JsonNode stored = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(a.toJson()));
      assertThat(ModelArchitecture.fromJson(stored, "m.json")).as(stored.toString()).isEqualTo(a);
    }
    assertThat(new ModelArchitecture.Matching(NANO).name()).isEqualTo("itm-nano");
    assertThat(all.get(4).toJson().get("connector").asText()).isEqualTo("mlp2x_gelu");
    assertThat(all.get(5).toJson().get("resampler_queries").asInt()).isEqualTo(5);
    assertThat(all.get(5).toJson().get("vision_features").asText()).isEqualTo("cls_patch");
  }

  @Test
  void anUnknownKindOrABadShapeIsAnErrorNamingTheFile() throws Exception {
    assertThatThrownBy(() -> ModelArchitecture.fromJson(Json.MAPPER.readTree("{\"kind\": \"gan\"}"), "ck/m.json"))
        .isInstanceOf(CheckpointError.class).hasMessageContaining("ck/m.json")
        .hasMessageContaining("'gan', expected one of clip, lm, vlm, itm");
    assertThatThrownBy(() -> ModelArchitecture.fromJson(Json.MAPPER.readTree("{\"kind\": \"clip\"}"), "ck/m.json"))
        .hasMessageContaining("no shape");
    JsonNode vlm = new ModelArchitecture.VisionLanguage(VisionLanguageModel.Shape.of(NANO, new Connector.Linear()))
        .toJson();
    ((com.fasterxml.jackson.databind.node.ObjectNode) vlm).put("connector", "qformer");
    assertThatThrownBy(() -> ModelArchitecture.fromJson(vlm, "ck/m.json")).isInstanceOf(CheckpointError.class)
        .hasMessageContaining("Unknown connector 'qformer'");
  }
}
