package io.sparkvlm.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.VisionFeatures;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The captioner's settings as the filter reads them, and the captioner's shape they give. */
class FilterConfigTest {

  static FilterConfig read(String... overrides) {
    return FilterConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(), List.of(overrides)))));
  }

  @Test
  void theCaptionerReadsTheTowerByTheConfiguredFeatures() {
    ClipShape clip = ClipShape.preset("tiny-patch-max");
    LanguageModel.Shape lm = LanguageModel.Shape.preset("lm-tiny");
    VisionLanguageModel.Shape byDefault = CapFilt.captionerShape(clip, lm, read().captioner());
    assertThat(byDefault.features()).isEqualTo(VisionFeatures.PATCH); // LLaVA's
    assertThat(byDefault.visionLayers()).isEqualTo(clip.vision().layers() - 1);
    assertThat(byDefault.name()).isEqualTo("captioner-tiny-patch-max");
    VisionLanguageModel.Shape centred = CapFilt.captionerShape(clip, lm,
        read("filter.captioner.vision-select-feature=patch-centred").captioner());
    assertThat(centred.features()).isEqualTo(VisionFeatures.PATCH_CENTRED);
    assertThat(centred.withFusion(byDefault.fusion())).isNotEqualTo(byDefault);
    assertThatThrownBy(() -> read("filter.captioner.vision-select-feature=centred"))
        .hasMessageContaining("filter.captioner.vision-select-feature").hasMessageContaining("patch-centred");
  }
}
