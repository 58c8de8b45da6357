package io.sparkvlm.detect;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code detect.pairs} config section (vlm detect pairs), validated. */
record DetectPairsConfig(String checkpoint, Optional<String> clip, String input, List<String> queries, int perQuery,
    double minScore, int batch, int nd4jThreads, String output, boolean overwrite) {
  static final String SECTION = "detect.pairs";
  static final String QUERIES = SECTION + ".queries";

  static DetectPairsConfig from(ConfigReader c) {
    String p = SECTION + ".";
    return new DetectPairsConfig(c.nonEmptyString(p + "checkpoint"), c.optionalString(p + "clip"),
        c.nonEmptyString(p + "input"), queries(c), c.intIn(p + "per-query", 1, 1000),
        c.doubleIn(p + "min-score", 0, 1), c.intIn(p + "batch", 1, 4096), c.intIn(p + "nd4j-threads", 0, 4096),
        c.nonEmptyString(p + "output"), c.bool("output.overwrite"));
  }

  /** The query texts: at least one, none blank, none twice (each names a column of results users filter on). */
  private static List<String> queries(ConfigReader c) {
    if (!c.isSet(QUERIES)) {
      throw new ConfigError(QUERIES, "Config key '" + QUERIES + "' is not set: list the texts to look for, e.g. "
          + QUERIES + "=[\"red star\", \"blue circle\"]");
    }
    List<String> queries = c.stringList(QUERIES);
    if (queries.isEmpty()) {
      throw new ConfigError(QUERIES, "Config key '" + QUERIES + "' is an empty list: nothing to detect");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < queries.size(); i++) {
      String q = queries.get(i);
      if (q.isBlank()) {
        throw new ConfigError(QUERIES, "Config key '" + QUERIES + "[" + i + "]' is blank");
      }
      if (!seen.add(q)) {
        throw new ConfigError(QUERIES, "Config key '" + QUERIES + "' lists \"" + q + "\" twice");
      }
    }
    return queries;
  }
}
