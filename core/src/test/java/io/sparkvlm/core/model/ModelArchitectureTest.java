package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Fusion;
import io.sparkvlm.core.model.layers.VisionFeatures;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelArchitectureTest {
  static final ClipShape NANO = ClipShape.preset("nano");
  static final ClipShape CUSTOM = new ClipShape("clip-custom", NANO.vision(), NANO.text(), 48, 16, 24, 300, 16);

  @Test
  void everyKindReadsBackAsWritten() throws Exception {
    List<ModelArchitecture> all = List.of(new ModelArchitecture.Clip(NANO), new ModelArchitecture.Clip(CUSTOM),
        new ModelArchitecture.Language(LanguageModel.Shape.of(CUSTOM)),
        new ModelArchitecture.Matching(MatchingModel.Shape.of(NANO)),
        new ModelArchitecture.VisionLanguage(VisionLanguageModel.Shape.of(CUSTOM, new Connector.Mlp2xGelu())),
        new ModelArchitecture.Matching(MatchingModel.Shape.of(NANO, MatchingModel.Head.FUSED_AND_ITC)),
        new ModelArchitecture.VisionLanguage(new VisionLanguageModel.Shape("vlm-r", NANO.visionTower(),
            LanguageModel.Shape.preset("lm-tiny"), new Connector.Resampler(5), VisionFeatures.CLS_PATCH, 2)),
        new ModelArchitecture.VisionLanguage(VisionLanguageModel.Shape.of(NANO, new Connector.Linear())),
        new ModelArchitecture.VisionLanguage(VisionLanguageModel.Shape.of(NANO, new Connector.Resampler(4))
            .withFusion(new Fusion.CrossAttention(2))),
        new ModelArchitecture.VisionLanguage(new VisionLanguageModel.Shape("vlm-c", NANO.visionTower(),
            LanguageModel.Shape.preset("lm-tiny"), new Connector.Mlp2xGelu(), VisionFeatures.PATCH_CENTRED, 1)));
    for (ModelArchitecture a : all) {
      // through bytes, as a manifest stores it
      JsonNode stored = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(a.toJson()));
      assertThat(ModelArchitecture.fromJson(stored, "m.json")).as(stored.toString()).isEqualTo(a);
    }
    assertThat(new ModelArchitecture.Matching(MatchingModel.Shape.of(NANO)).name()).isEqualTo("itm-nano");
    assertThat(all.get(4).toJson().get("connector").asText()).isEqualTo("mlp2x_gelu");
    assertThat(all.get(6).toJson().get("resampler_queries").asInt()).isEqualTo(5);
    assertThat(all.get(6).toJson().get("vision_features").asText()).isEqualTo("cls_patch");
    assertThat(all.get(6).toJson().get("fusion").asText()).isEqualTo("prefix");
    assertThat(all.get(8).toJson().get("fusion").asText()).isEqualTo("cross-attention");
    assertThat(all.get(8).toJson().get("cross_attention_every").asInt()).isEqualTo(2);
    assertThat(all.get(9).toJson().get("vision_features").asText()).isEqualTo("patch_centred");
  }

  /** Manifest format 1 described a VLM and an ITM by one CLIP shape; they read as the composed shapes. */
  @Test
  void formatOneVisionLanguageAndMatchingArchitecturesStillRead() throws Exception {
    String clip = Json.MAPPER.writeValueAsString(NANO);
    JsonNode vlm = Json.MAPPER.readTree("{\"kind\": \"vlm\", \"name\": \"vlm-nano\", \"shape\": " + clip
        + ", \"connector\": \"mlp2x_gelu\", \"resampler_queries\": 0, \"vision_features\": \"patch\"}");
    assertThat(ModelArchitecture.fromJson(vlm, "m.json")).isEqualTo(new ModelArchitecture.VisionLanguage(
        VisionLanguageModel.Shape.of(NANO, new Connector.Mlp2xGelu())));
    JsonNode itm = Json.MAPPER.readTree("{\"kind\": \"itm\", \"shape\": " + clip + "}");
    assertThat(ModelArchitecture.fromJson(itm, "m.json"))
        .isEqualTo(new ModelArchitecture.Matching(MatchingModel.Shape.of(NANO)));
    // format 2 before the head was recorded: BLIP's head on the fused token
    com.fasterxml.jackson.databind.node.ObjectNode withoutHead = (com.fasterxml.jackson.databind.node.ObjectNode)
        new ModelArchitecture.Matching(MatchingModel.Shape.of(NANO)).toJson();
    withoutHead.remove("head");
    assertThat(ModelArchitecture.fromJson(withoutHead, "m.json"))
        .isEqualTo(new ModelArchitecture.Matching(MatchingModel.Shape.of(NANO)));
    // format 2 writes the towers apart: any vision tower with any LM
    JsonNode written = new ModelArchitecture.VisionLanguage(VisionLanguageModel.Shape.of(NANO,
        new Connector.Linear())).toJson();
    assertThat(written.has("shape")).isFalse();
    assertThat(written.get("vision").get("image_size").asInt()).isEqualTo(32);
    assertThat(written.get("lm").get("name").asText()).isEqualTo("lm-nano");
    assertThat(written.get("vision_layers").asInt()).isEqualTo(1);
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
    ((com.fasterxml.jackson.databind.node.ObjectNode) vlm).put("connector", "linear").put("fusion", "early");
    assertThatThrownBy(() -> ModelArchitecture.fromJson(vlm, "ck/m.json")).isInstanceOf(CheckpointError.class)
        .hasMessageContaining("Unknown fusion 'early': one of prefix, cross-attention");
  }
}
