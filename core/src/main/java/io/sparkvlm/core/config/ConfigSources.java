package io.sparkvlm.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.sparkvlm.core.io.HadoopConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a run's configuration comes from, lowest priority first: the reference defaults that every module ships
 * ({@code reference.conf} on the class path), then each {@code --config FILE} in the order given, then each
 * {@code --conf key=value} override in the order given.
 *
 * <p>A config file may be a local path, any Hadoop path ({@code s3a://}, {@code hdfs://}) or
 * {@code classpath:conf/...} for the files that ship inside the jar.
 *
 * <p>An override's value is taken literally as a string (Typesafe Config converts strings to numbers, booleans and
 * durations when a typed getter asks), so {@code --conf ingest.input=s3a://bucket/urls.parquet} needs no quoting.
 * A value that starts with {@code [}, <code>{</code> or {@code "} is parsed as HOCON instead, for lists, objects and
 * quoted strings. The bare value {@code null} is HOCON's null (it turns off an optional setting, e.g.
 * {@code --conf pretrain.clip.eval.root=null}); write {@code "null"} for the string.
 */
public record ConfigSources(List<String> files, List<String> overrides) {

  public ConfigSources {
    files = List.copyOf(files);
    overrides = List.copyOf(overrides);
  }

  public static ConfigSources none() {
    return new ConfigSources(List.of(), List.of());
  }

  /** The merged user layers (files and overrides, no reference defaults), not yet resolved. */
  public Config userLayers() {
    Config merged = ConfigFactory.empty();
    for (String file : files) {
      merged = parseFile(file).withFallback(merged);
    }
    for (String override : overrides) {
      merged = parseOverride(override).withFallback(merged);
    }
    return merged;
  }

  static Config parseOverride(String override) {
    String origin = "--conf " + override;
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError("", "Bad override '" + override + "': expected --conf key=value");
    }
    String key = override.substring(0, eq).trim();
    String raw = override.substring(eq + 1);
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      throw new ConfigError(key, "Bad key in override '" + override + "': " + e.getMessage(), e);
    }
    String trimmed = raw.trim();
    ConfigValue value;
    if (trimmed.startsWith("[") || trimmed.startsWith("{") || trimmed.startsWith("\"")) {
      try {
        Config parsed = ConfigFactory.parseString("v = " + trimmed,
            ConfigParseOptions.defaults().setOriginDescription(origin));
        value = parsed.getValue("v");
      } catch (ConfigException e) {
        throw new ConfigError(key, "Cannot parse the value of '" + origin + "': " + e.getMessage(), e);
      }
    } else if (trimmed.equals("null")) {
      value = ConfigValueFactory.fromAnyRef(null, origin);
    } else {
      value = ConfigValueFactory.fromAnyRef(raw, origin);
    }
    return ConfigFactory.empty(origin).withValue(key, value);
  }

  static Config parseFile(String location) {
    ConfigParseOptions options = ConfigParseOptions.defaults()
        .setSyntax(ConfigSyntax.CONF)
        .setAllowMissing(false)
        .setOriginDescription(location);
    if (location.startsWith("classpath:")) {
      String resource = location.substring("classpath:".length());
      if (ConfigSources.class.getClassLoader().getResource(resource) == null) {
        throw new ConfigError("", "Config file not found on the class path: " + location);
      }
      try {
        return ConfigFactory.parseResources(ConfigSources.class.getClassLoader(), resource, options);
      } catch (ConfigException e) {
        throw new ConfigError("", "Cannot parse config file " + location + ": " + e.getMessage(), e);
      }
    }
    String text = readText(location);
    try {
      return ConfigFactory.parseString(text, options);
    } catch (ConfigException e) {
      throw new ConfigError("", "Cannot parse config file " + location + ": " + e.getMessage(), e);
    }
  }

  private static String readText(String location) {
    try {
      Path path = new Path(location);
      URI uri = path.toUri();
      Configuration conf = HadoopConfs.fromSystemProperties();
      FileSystem fs = uri.getScheme() == null ? FileSystem.getLocal(conf) : path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new ConfigError("", "Config file not found: " + location);
      }
      try (InputStream in = fs.open(path)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new ConfigError("", "Cannot read config file " + location + ": " + e.getMessage(), e);
    }
  }

  public ConfigSources withOverride(String override) {
    List<String> more = new ArrayList<>(overrides);
    more.add(override);
    return new ConfigSources(files, more);
  }
}
