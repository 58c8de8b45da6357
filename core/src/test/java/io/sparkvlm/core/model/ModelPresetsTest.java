package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.model.layers.kernels.Gelu;
import org.junit.jupiter.api.Test;

/** Presets are the files in conf/models, found by listing the folder, each of a kind. */
class ModelPresetsTest {
  @Test
  void everyPresetFileIsFoundWithItsKindSmallestFirst() {
    assertThat(ClipShape.presets()).containsExactly("nano", "tiny", "tiny-patch-max", "bench", "vit-b-32");
    assertThat(LanguageModel.Shape.presets()).containsExactly("lm-nano", "lm-tiny", "lm-bench");
  }

  @Test
  void anLmPresetIsItsOwnShapeAndMatchesTheTextTowerOfItsClip() {
    LanguageModel.Shape lm = LanguageModel.Shape.preset("lm-tiny");
    assertThat(lm).isEqualTo(LanguageModel.Shape.of(ClipShape.preset("tiny")));
    assertThat(lm.tower().gelu()).isEqualTo(Gelu.QUICK);
  }

  @Test
  void anUnknownNameOrAPresetOfAnotherKindIsAnErrorListingTheKindsPresets() {
    assertThatThrownBy(() -> ClipShape.preset("huge")).isInstanceOf(ConfigError.class)
        .hasMessageContaining("huge").hasMessageContaining("nano, tiny, tiny-patch-max, bench, vit-b-32");
    assertThatThrownBy(() -> LanguageModel.Shape.preset("tiny")).isInstanceOf(ConfigError.class)
        .hasMessageContaining("is a clip preset").hasMessageContaining("lm-nano, lm-tiny, lm-bench");
    assertThatThrownBy(() -> ClipShape.preset("lm-nano")).hasMessageContaining("is a lm preset");
  }

  @Test
  void everyPresetSetsOnlyKnownKeysAndAMisspeltOneIsNamed() {
    for (ModelPresets.Kind kind : ModelPresets.Kind.values()) {
      ModelPresets.names(kind).forEach(name -> ModelPresets.load(name, kind));
    }
    com.typesafe.config.Config typo = com.typesafe.config.ConfigFactory.parseString("model { kind = clip, name = x, "
        + "embed-dim = 8, vision { image-size = 16, patch-size = 8, width = 8, layers = 1, heads = 1, mlp-ratio = 4, "
        + "pooling = patch-max }, text { context-length = 4, vocab-size = 16, width = 8, layers = 1, heads = 1, "
        + "mlp-ratio = 4 } }");
    assertThatThrownBy(() -> ModelPresets.checkKeys("x", typo, ModelPresets.Kind.CLIP))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("Model preset 'x' sets keys a clip preset does not have: model.vision.pooling")
        .hasMessageContaining("model.vision.pool");
  }
}
