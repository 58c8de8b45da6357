package io.sparkvlm.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ImagePreprocess;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.VisionLanguageModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LLaVA's image_aspect_ratio: the stage-1 shape records how its images are fitted, so every later use agrees. */
class VisionSettingsTest {
  static VisionSettings settings(String... overrides) {
    return VisionSettings.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(), List.of(overrides)))),
        AlignConfig.SECTION);
  }

  @Test
  void padIsLlava15sDefaultAndSquareKeepsTheClipsOwnPreprocessing() {
    ClipShape clip = ClipShape.preset("nano");
    LanguageModel.Shape lm = LanguageModel.Shape.of(clip);
    VisionLanguageModel.Shape padded = AlignJob.shape(clip, lm, settings());
    assertThat(padded.vision().preprocess())
        .isEqualTo(clip.preprocess().withResize(ImagePreprocess.ResizeMode.PAD));
    assertThat(padded.vision().tower()).isEqualTo(clip.visionTower().tower()); // the same tower, only the framing
    VisionLanguageModel.Shape square = AlignJob.shape(clip, lm, settings("align.image-aspect-ratio=square"));
    assertThat(square.vision()).isEqualTo(clip.visionTower());
    assertThatThrownBy(() -> settings("align.image-aspect-ratio=anyres"))
        .hasMessageContaining("align.image-aspect-ratio").hasMessageContaining("'anyres' is not one of [square, pad]");
  }
}
