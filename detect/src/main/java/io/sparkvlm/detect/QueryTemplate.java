package io.sparkvlm.detect;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.config.ConfigError;

/**
 * How a query's words become the text the CLIP embeds ({@code detect.train.query-template}): {@code %s} replaced by
 * the words. A detector is asked with the template it was trained with, read back from its checkpoint's config.
 */
public record QueryTemplate(String template) implements java.io.Serializable {
  public QueryTemplate {
    if (!template.contains("%s") || template.indexOf("%s") != template.lastIndexOf("%s")) {
      throw new ConfigError(KEY, "Config key '" + KEY + "' = \"" + template
          + "\" must hold %s exactly once (where the query's words go)");
    }
  }

  static final String KEY = TrainDetectorConfig.SECTION + "." + TrainDetectorConfig.QUERY_TEMPLATE;

  public String text(String query) {
    return template.replace("%s", query);
  }

  /** The template a detector was trained with, from its checkpoint's recorded config. */
  public static QueryTemplate of(CheckpointManifest detector, String location) {
    JsonNode t = detector.config();
    for (String part : KEY.split("\\.")) {
      t = t.path(part);
    }
    if (!t.isTextual()) {
      throw new CheckpointError("Checkpoint " + location + " records no " + KEY + " in its config: it is not a "
          + "detector trained by vlm detect train");
    }
    return new QueryTemplate(t.asText());
  }
}
