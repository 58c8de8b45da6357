package io.sparkvlm.instruct;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.training.TrainingSettings;

/** The {@code align} config section (LLaVA stage 1), validated. */
record AlignConfig(String input, String clip, String lm, VisionSettings vision, TrainingSettings training) {
  static final String SECTION = "align";

  static AlignConfig from(ConfigReader c) {
    String p = SECTION + ".";
    return new AlignConfig(c.nonEmptyString(p + "input"), c.nonEmptyString(p + "clip"), c.nonEmptyString(p + "lm"),
        VisionSettings.from(c, SECTION), TrainingSettings.from(c, SECTION, false));
  }
}
