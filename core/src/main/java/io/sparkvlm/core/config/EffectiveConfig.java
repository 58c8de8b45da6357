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
  /**
   * Keys whose values are never written out, matched on the whole dotted path: S3A's access, secret and session keys
   * ({@code fs.s3a.access.key}, {@code fs.s3a.secret.key}, {@code fs.s3a.session.token}), passwords, and keys named
   * as secrets, credentials, API or private keys, or a (session, auth, access, API, bearer) token. Words that only
   * contain "token" ({@code tokenizer}, {@code max-new-tokens}) are not secrets: manifests must record them.
   */
  static final Pattern SECRET = Pattern.compile("(?i)(.*[._\\-])?("
      + "[^.]*(secret|password|passwd|credential)[^.]*"
      + "|(access|secret|session|api|private)[._-]?key"
      + "|((session|auth|access|api|bearer|secret)[._-]?)?token"
      + ")");
  public static final String REDACTED = "<redacted>";

  private EffectiveConfig() {}

  public static Config redacted(Config config) {
    return redactObject(config.root(), "").toConfig();
  }

  /** Whether the value at this dotted path is a secret. */
  static boolean isSecret(String path) {
    return SECRET.matcher(path).matches();
  }

  private static ConfigObject redactObject(ConfigObject object, String prefix) {
    ConfigObject out = object;
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      ConfigValue value = e.getValue();
      String path = prefix + e.getKey();
      if (value instanceof ConfigObject child) {
        out = out.withValue(e.getKey(), redactObject(child, path + "."));
      } else if (isSecret(path)) {
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
