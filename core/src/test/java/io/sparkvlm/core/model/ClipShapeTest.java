package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.layers.VisionFeatures;
import org.junit.jupiter.api.Test;

class ClipShapeTest {
  @Test
  void vitB32HasOpenAiClipsPublishedParameterCount() {
    ClipShape s = ClipShape.preset("vit-b-32");
    assertThat(s.visionParams()).isEqualTo(87_849_216L);
    assertThat(s.textParams()).isEqualTo(63_428_096L);
    assertThat(s.params()).isEqualTo(151_277_313L); // OpenAI CLIP ViT-B/32, logit scale included
    assertThat(s.patches()).isEqualTo(49);
  }

  @Test
  void benchIsTheShapeTheIssueMeasuresOpenClipWith() {
    ClipShape s = ClipShape.preset("bench");
    assertThat(s.params()).isEqualTo(11_781_121L); // "about 11.8M parameters"
    assertThat(s.trainingFlopsPerSample() / 1e9).isCloseTo(2.86, within(0.01)); // "about 2.86 GFLOP"
  }

  @Test
  void smallerPresetsAreSmaller() {
    long nano = ClipShape.preset("nano").params();
    long tiny = ClipShape.preset("tiny").params();
    assertThat(nano).isLessThan(tiny).isLessThan(ClipShape.preset("bench").params());
    assertThat(nano).isEqualTo(76_673L); // the figures in docs/models.md
    assertThat(tiny).isEqualTo(1_918_977L);
  }

  @Test
  void imagePoolingIsAPresetSettingThatManifestsRecord() throws Exception {
    for (String classToken : ClipShape.presets().stream().filter(p -> !p.equals("tiny-patch-max")).toList()) {
      assertThat(ClipShape.preset(classToken).imagePool()).as(classToken).isEqualTo(ClipShape.ImagePool.CLASS_TOKEN);
    }
    ClipShape tiny = ClipShape.preset("tiny-patch-max");
    assertThat(tiny.imagePool()).isEqualTo(ClipShape.ImagePool.PATCH_MAX);
    assertThat(tiny.params()).isEqualTo(ClipShape.preset("tiny").params()); // pooling adds no parameter
    ObjectNode json = Json.MAPPER.valueToTree(tiny);
    assertThat(Json.MAPPER.treeToValue(json, ClipShape.class)).isEqualTo(tiny);
    json.remove("image_pool"); // a manifest written before the setting: its CLIP pooled the class token
    assertThat(Json.MAPPER.treeToValue(json, ClipShape.class).imagePool()).isEqualTo(ClipShape.ImagePool.CLASS_TOKEN);
    assertThatThrownBy(() -> ClipShape.from(ConfigFactory.parseString("""
        model { name = x, embed-dim = 8
          vision { image-size = 16, patch-size = 8, width = 8, layers = 1, heads = 2, mlp-ratio = 4, pool = mean }
          text { context-length = 4, vocab-size = 10, width = 8, layers = 1, heads = 2, mlp-ratio = 4 } }
        """))).hasMessageContaining("'model.vision.pool'").hasMessageContaining("unknown image pooling 'mean'");
  }

  @Test
  void imagePreprocessingIsAPresetSettingThatTheVisionTowerAndManifestsCarry() throws Exception {
    for (String p : ClipShape.presets()) {
      assertThat(ClipShape.preset(p).preprocess()).as(p).isEqualTo(ImagePreprocess.DEFAULT);
    }
    String preset = """
        model { name = x, embed-dim = 8
          vision { image-size = 16, patch-size = 8, width = 8, layers = 1, heads = 2, mlp-ratio = 4, %s }
          text { context-length = 4, vocab-size = 10, width = 8, layers = 1, heads = 2, mlp-ratio = 4 } }
        """;
    ClipShape longest = ClipShape.from(ConfigFactory.parseString(preset.formatted(
        "resize = longest, interpolation = bicubic, fill-color = 128")));
    ImagePreprocess expected = new ImagePreprocess(ImagePreprocess.ResizeMode.LONGEST,
        io.sparkvlm.core.image.Resample.Filter.BICUBIC, 128);
    assertThat(longest.preprocess()).isEqualTo(expected);
    assertThat(longest.visionTower().preprocess()).isEqualTo(expected); // what the VLM, ITM and detector reuse
    assertThat(VisionLanguageModel.Shape.of(longest, new io.sparkvlm.core.model.layers.Connector.Linear()).vision()
        .preprocess()).isEqualTo(expected);
    ObjectNode json = Json.MAPPER.valueToTree(longest);
    assertThat(Json.MAPPER.treeToValue(json, ClipShape.class)).isEqualTo(longest);
    json.remove("preprocess"); // a manifest written before the setting: spark-vlm's preprocessing then
    assertThat(Json.MAPPER.treeToValue(json, ClipShape.class).preprocess()).isEqualTo(ImagePreprocess.DEFAULT);
    ObjectNode tower = Json.MAPPER.valueToTree(longest.visionTower());
    tower.remove("preprocess");
    assertThat(Json.MAPPER.treeToValue(tower, VisionTower.class).preprocess()).isEqualTo(ImagePreprocess.DEFAULT);
    assertThatThrownBy(() -> ClipShape.from(ConfigFactory.parseString(preset.formatted("resize = crop"))))
        .hasMessageContaining("'model.vision.resize'").hasMessageContaining("unknown resize mode 'crop' (expected "
            + "shortest, longest, squash, pad)");
    assertThatThrownBy(() -> ClipShape.from(ConfigFactory.parseString(preset.formatted("interpolation = lanczos"))))
        .hasMessageContaining("'model.vision.interpolation'").hasMessageContaining("bilinear, bicubic");
    assertThatThrownBy(() -> ClipShape.from(ConfigFactory.parseString(preset.formatted("fill-color = 300"))))
        .hasMessageContaining("'model.vision.fill-color' = 300 is not a grey level 0-255");
  }

  @Test
  void eachPoolingNamesTheVisionFeaturesThatReadItWell() {
    ClipShape.ImagePool max = ClipShape.ImagePool.PATCH_MAX;
    ClipShape.ImagePool token = ClipShape.ImagePool.CLASS_TOKEN;
    assertThat(max.betterFeatures(VisionFeatures.PATCH)).contains(VisionFeatures.PATCH_CENTRED);
    assertThat(max.betterFeatures(VisionFeatures.CLS_PATCH)).contains(VisionFeatures.PATCH_CENTRED);
    assertThat(max.betterFeatures(VisionFeatures.PATCH_CENTRED)).isEmpty();
    assertThat(token.betterFeatures(VisionFeatures.PATCH_CENTRED)).contains(VisionFeatures.PATCH);
    assertThat(token.betterFeatures(VisionFeatures.PATCH)).isEmpty();
    assertThat(token.betterFeatures(VisionFeatures.CLS_PATCH)).isEmpty();
    assertThat(max.featuresWarning("align.vision-select-feature", VisionFeatures.PATCH)).hasValueSatisfying(w ->
        assertThat(w).contains("align.vision-select-feature = patch ").contains("vision.pool = patch-max")
            .contains("patch-centred suits it"));
    assertThat(token.featuresWarning("k", VisionFeatures.PATCH)).isEmpty();
  }

  @Test
  void badShapesAndUnknownPresetsAreNamed() {
    assertThatThrownBy(() -> ClipShape.preset("huge")).hasMessageContaining("No model preset 'huge'");
    assertThatThrownBy(() -> ClipShape.from(ConfigFactory.parseString("""
        model { name = x, embed-dim = 8
          vision { image-size = 30, patch-size = 8, width = 8, layers = 1, heads = 2, mlp-ratio = 4 }
          text { context-length = 4, vocab-size = 10, width = 8, layers = 1, heads = 3, mlp-ratio = 4 } }
        """))).hasMessageContaining("'model.text.heads' = 3 must divide");
  }
}
