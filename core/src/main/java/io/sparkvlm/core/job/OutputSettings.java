package io.sparkvlm.core.job;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;

/**
 * What a stage does with outputs that already exist ({@code output.*}): {@code overwrite} replaces them;
 * {@code skipComplete} skips a stage whose outputs are all complete ({@link StageJob#completionMarkers}), as an
 * Airflow rerun of a whole DAG run wants. The two contradict each other, so setting both is a configuration error.
 */
public record OutputSettings(boolean overwrite, boolean skipComplete) {
  public static final String OVERWRITE = "output.overwrite";
  public static final String SKIP_COMPLETE = "output.skip-complete";

  public OutputSettings {
    if (overwrite && skipComplete) {
      throw new ConfigError(SKIP_COMPLETE, OVERWRITE + " and " + SKIP_COMPLETE + " are both true: a complete "
          + "output cannot be both replaced and kept; set one of them");
    }
  }

  public static OutputSettings from(ConfigReader c) {
    return new OutputSettings(c.bool(OVERWRITE), c.bool(SKIP_COMPLETE));
  }
}
