package io.sparkvlm.core.spark;

import io.sparkvlm.core.config.ConfigReader;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code spark} config section.
 *
 * @param master master URL used only when neither spark-submit nor a {@code spark.master} system property set
 *     one; empty means {@code local[*]}
 * @param appName application name shown in the Spark UI and logs
 * @param conf extra Spark settings, each applied only where spark-submit did not already set the same key
 * @param progressInterval seconds between progress lines for running Spark stages; 0 turns them off
 */
public record SparkSettings(Optional<String> master, String appName, Map<String, String> conf,
    int progressInterval) {

  public SparkSettings {
    conf = Map.copyOf(conf);
  }

  public static SparkSettings from(ConfigReader c) {
    return new SparkSettings(
        c.optionalString("spark.master").filter(s -> !s.isBlank()),
        c.nonEmptyString("spark.app-name"),
        c.stringMap("spark.conf"),
        c.intIn("spark.progress-interval-seconds", 0, 3600));
  }

  public static SparkSettings local(String master) {
    return new SparkSettings(Optional.of(master), "spark-vlm", Map.of(), 0);
  }
}
