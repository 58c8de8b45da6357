package io.sparkvlm.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Typed, validated access to a loaded configuration. Every getter takes the full key; every failure is a
 * {@link ConfigError} naming that key, the problem and where the value was set. Typed config records are built
 * from these getters in their {@code from(ConfigReader)} factories.
 */
public final class ConfigReader {
  private final Config config;

  public ConfigReader(Config resolved) {
    this.config = resolved;
  }

  public Config config() {
    return config;
  }

  public boolean isSet(String key) {
    return config.hasPath(key);
  }

  public String string(String key) {
    require(key);
    try {
      return config.getString(key);
    } catch (ConfigException.WrongType e) {
      throw wrongType(key, "a string");
    }
  }

  public String nonEmptyString(String key) {
    String value = string(key);
    if (value.isBlank()) {
      throw invalid(key, "must not be empty");
    }
    return value;
  }

  /** An optional string: absent when the key is {@code null} in the config. */
  public Optional<String> optionalString(String key) {
    if (!config.hasPath(key)) {
      return Optional.empty();
    }
    return Optional.of(string(key));
  }

  public boolean bool(String key) {
    require(key);
    try {
      return config.getBoolean(key);
    } catch (ConfigException.WrongType e) {
      throw wrongType(key, "a boolean (true or false)");
    }
  }

  public int intIn(String key, int min, int max) {
    require(key);
    int value;
    try {
      value = config.getInt(key);
    } catch (ConfigException.WrongType e) {
      throw wrongType(key, "an integer");
    }
    if (value < min || value > max) {
      throw invalid(key, "= " + value + " is out of range: must be between " + min + " and " + max);
    }
    return value;
  }

  public long longIn(String key, long min, long max) {
    require(key);
    long value;
    try {
      value = config.getLong(key);
    } catch (ConfigException.WrongType e) {
      throw wrongType(key, "an integer");
    }
    if (value < min || value > max) {
      throw invalid(key, "= " + value + " is out of range: must be between " + min + " and " + max);
    }
    return value;
  }

  public double doubleIn(String key, double min, double max) {
    require(key);
    double value;
    try {
      value = config.getDouble(key);
    } catch (ConfigException.WrongType e) {
      throw wrongType(key, "a number");
    }
    if (!(value >= min && value <= max)) {
      throw invalid(key, "= " + value + " is out of range: must be between " + min + " and " + max);
    }
    return value;
  }

  public Duration durationIn(String key, Duration min, Duration max) {
    require(key);
    Duration value;
    try {
      value = config.getDuration(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw wrongType(key, "a duration such as 10s, 500ms or 2m");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw invalid(key, "= " + value + " is out of range: must be between " + min + " and " + max);
    }
    return value;
  }

  /** One of an enum's constants, written in lower-kebab-case in the config ({@code KEEP_RATIO} as keep-ratio). */
  public <E extends Enum<E>> E oneOf(String key, Class<E> type) {
    String raw = string(key);
    return named(type, raw).orElseThrow(() -> invalid(key, "= '" + raw + "' is not one of " + configNames(type)));
  }

  /** The constant of {@code type} whose {@link #configName} is {@code name}, if there is one. */
  public static <E extends Enum<E>> java.util.Optional<E> named(Class<E> type, String name) {
    for (E constant : type.getEnumConstants()) {
      if (configName(constant).equals(name)) {
        return java.util.Optional.of(constant);
      }
    }
    return java.util.Optional.empty();
  }

  /** Every constant's {@link #configName}, in declaration order. */
  public static <E extends Enum<E>> List<String> configNames(Class<E> type) {
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(configName(constant));
    }
    return names;
  }

  public static String configName(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public List<String> stringList(String key) {
    require(key);
    try {
      return List.copyOf(config.getStringList(key));
    } catch (ConfigException.WrongType e) {
      throw wrongType(key, "a list of strings");
    }
  }

  /** A free-form map of string values, such as {@code spark.conf}; keys are returned unquoted. */
  public Map<String, String> stringMap(String key) {
    require(key);
    ConfigObject object;
    try {
      object = config.getObject(key);
    } catch (ConfigException.WrongType e) {
      throw wrongType(key, "an object of key = value pairs");
    }
    Map<String, String> out = new LinkedHashMap<>();
    flatten(object, "", key, out);
    return Collections.unmodifiableMap(out);
  }

  private void flatten(ConfigObject object, String prefix, String key, Map<String, String> out) {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      ConfigValue value = e.getValue();
      switch (value.valueType()) {
        case OBJECT -> flatten((ConfigObject) value, name, key, out);
        case LIST -> throw new ConfigError(key + "." + name, "Config key '" + key + "." + name
            + "' must be a single value, not a list" + at(value));
        case NULL -> { }
        default -> out.put(name, String.valueOf(value.unwrapped()));
      }
    }
  }

  /** The section at {@code key} rendered as JSON, e.g. for a manifest. */
  public String sectionJson(String key) {
    if (!config.hasPath(key)) {
      return "{}";
    }
    return config.getValue(key).render(ConfigRenderOptions.concise());
  }

  /** Why {@code key} is absent: a section above it given a plain value, or no reference.conf declaring it. */
  private String whyMissing(String key) {
    String[] parts = key.split("\\.");
    String prefix = "";
    for (int i = 0; i < parts.length - 1; i++) {
      prefix = prefix.isEmpty() ? parts[i] : prefix + "." + parts[i];
      if (config.hasPath(prefix) && config.getValue(prefix).valueType() != ConfigValueType.OBJECT) {
        return "'" + prefix + "' is set to " + config.getValue(prefix).render(ConfigRenderOptions.concise())
            + ", which replaces the section that holds it; set '" + key + "' instead";
      }
    }
    return "no reference.conf declares it (a bug in spark-vlm) or it was removed";
  }

  private void require(String key) {
    if (!config.hasPathOrNull(key)) {
      throw new ConfigError(key, "Config key '" + key + "' is missing: " + whyMissing(key));
    }
    if (!config.hasPath(key)) {
      throw new ConfigError(key, "Config key '" + key + "' must be set" + at(config, key)
          + "; set it in a --config file or with --conf " + key + "=...");
    }
  }

  private ConfigError wrongType(String key, String expected) {
    ConfigValue value = config.getValue(key);
    return new ConfigError(key, "Config key '" + key + "' must be " + expected + ", but is "
        + value.render(ConfigRenderOptions.concise()) + at(value));
  }

  private ConfigError invalid(String key, String problem) {
    return new ConfigError(key, "Config key '" + key + "' " + problem + at(config, key));
  }

  private static String at(Config config, String key) {
    String origin = originOf(config, key);
    return origin.isEmpty() ? "" : " (set at " + origin + ")";
  }

  private static String at(ConfigValue value) {
    String d = value.origin() == null ? "" : value.origin().description();
    return d == null || d.isEmpty() ? "" : " (set at " + d + ")";
  }

  /** Where the value at {@code key} was set: a file and line, {@code --conf ...}, or a reference.conf. */
  public static String originOf(Config config, String key) {
    try {
      if (config.hasPath(key)) {
        return config.getValue(key).origin().description();
      }
    } catch (ConfigException e) {
      return "";
    }
    return "";
  }
}
