package io.sparkvlm.detect;

import io.sparkvlm.core.config.ConfigReader;
import java.util.List;
import java.util.Optional;

/** The {@code detect.dataset} config section (vlm detect dataset), validated. */
record DetectConfig(String checkpoint, Optional<String> clip, String instances, String images,
    Optional<List<String>> queries, int perQuery, int batch, int nd4jThreads, String output) {
  static final String SECTION = "detect.dataset";

  static DetectConfig from(ConfigReader c) {
    String p = SECTION + ".";
    Optional<List<String>> queries = c.isSet(p + "queries") ? Optional.of(c.stringList(p + "queries"))
        : Optional.empty();
    return new DetectConfig(c.nonEmptyString(p + "checkpoint"), c.optionalString(p + "clip"),
        c.nonEmptyString(p + "instances"), c.nonEmptyString(p + "images"), queries,
        c.intIn(p + "per-query", 1, 1000), c.intIn(p + "batch", 1, 4096), c.intIn(p + "nd4j-threads", 0, 4096),
        c.nonEmptyString(p + "output"));
  }
}
