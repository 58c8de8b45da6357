package io.sparkvlm.detect;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.model.DetectorModel;
import io.sparkvlm.training.TrainingSettings;

/** The {@code detect.train} config section (vlm detect train), validated. */
record TrainDetectorConfig(String instances, String images, String clip, QueryTemplate template,
    DetectorModel.Trainable trainable, int maxBoxes, TrainingSettings training) {
  static final String SECTION = "detect.train";
  static final String QUERY_TEMPLATE = "query-template";

  static TrainDetectorConfig from(ConfigReader c) {
    String p = SECTION + ".";
    return new TrainDetectorConfig(c.nonEmptyString(p + "instances"), c.nonEmptyString(p + "images"),
        c.nonEmptyString(p + "clip"), new QueryTemplate(c.nonEmptyString(p + QUERY_TEMPLATE)),
        c.oneOf(p + "trainable", DetectorModel.Trainable.class), c.intIn(p + "max-boxes", 1, 10_000),
        TrainingSettings.from(c, SECTION, false));
  }
}
