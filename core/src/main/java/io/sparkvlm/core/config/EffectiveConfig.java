package io.sparkvlm.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;

/** The effective configuration as recorded in manifests and shown by {@code vlm config show}: secrets redacted. */
public final class EffectiveConfig {
  /** Keys whose values are never written out: S3 keys, passwords, tokens. */
  private static final Pattern SECRET = Pattern.compile(
      "(?i).*(secret|password|passwd|token|credential|access[._-]?key|session[._-]?key).*");
  public static final String REDACTED = "<redacted>";

  private EffectiveConfig() {}

  public static Config redacted(Config config) {
    return redactObject(config.root()).toConfig();
  }

  private static ConfigObject redactObject(ConfigObject object) {
    ConfigObject out = object;
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      ConfigValue value = e.getValue();
      if (value instanceof ConfigObject child) {
        out = out.withValue(e.getKey(), redactObject(child));
      } else if (SECRET.matcher(e.getKey()).matches()) {
        out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(REDACTED, "redacted"));
      }
    }
    return out;
  }

  /** The effective config as JSON, secrets redacted, without the JVM's system properties and environment. */
  public static JsonNode toJson(Config config) {
    try {
      return Json.MAPPER.readTree(redacted(config).root().render(ConfigRenderOptions.concise()));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot render config as JSON", e);
    }
  }

  /** HOCON text for people; with {@code origins} each value is preceded by where it was set. */
  public static String toHocon(Config config, boolean origins) {
    return redacted(config).root().render(ConfigRenderOptions.defaults()
        .setOriginComments(origins).setComments(false).setJson(false).setFormatted(true));
  }
}
