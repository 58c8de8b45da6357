package io.sparkvlm.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads the effective configuration: reference defaults, then config files, then overrides (see
 * {@link ConfigSources}), resolves substitutions, and rejects every key a user set that no module's
 * {@code reference.conf} declares. Keys under an <em>open section</em> (a free-form map such as
 * {@code spark.conf}, whose keys are Spark's, not ours) are exempt; the reference declares a section open by
 * listing its path in {@value #OPEN_SECTIONS_KEY}.
 */
public final class ConfigLoader {

  /** Reference key listing the paths of free-form map sections. */
  public static final String OPEN_SECTIONS_KEY = "config.open-sections";

  private ConfigLoader() {}

  /**
   * Loads with the reference defaults found on the class path: every module's {@code reference.conf}, merged and
   * left unresolved (unlike {@code ConfigFactory.defaultReference()}), so that a user's {@code paths.root} flows
   * into every path defined from it.
   */
  public static Config load(ConfigSources sources) {
    return load(sources, ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf"));
  }

  public static Config load(ConfigSources sources, Config reference) {
    Config user = sources.userLayers();
    Config merged = user.withFallback(reference);
    Config resolved;
    try {
      resolved = merged.resolve();
    } catch (ConfigException.UnresolvedSubstitution e) {
      throw new ConfigError("", "Unresolved substitution in the configuration: " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw new ConfigError("", "Invalid configuration: " + e.getMessage(), e);
    }
    // Walk resolved copies: an unresolved substitution cannot be inspected.
    reference = reference.resolveWith(resolved);
    user = user.resolveWith(resolved);
    Set<String> open = new TreeSet<>();
    if (reference.hasPath(OPEN_SECTIONS_KEY)) {
      open.addAll(reference.getStringList(OPEN_SECTIONS_KEY));
    }
    List<String> unknown = new ArrayList<>();
    walkLeaves(user.root(), "", reference, open, unknown);
    if (!unknown.isEmpty()) {
      throw new ConfigError(unknown.get(0), String.join("\n", describeUnknown(unknown, user, reference)));
    }
    return resolved;
  }

  private static void walkLeaves(ConfigObject object, String prefix, Config reference, Set<String> open,
      List<String> unknown) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String path = prefix.isEmpty()
          ? ConfigUtil.joinPath(entry.getKey())
          : prefix + "." + ConfigUtil.joinPath(entry.getKey());
      if (open.contains(path) || isUnderOpenSection(path, open)) {
        continue;
      }
      ConfigValue value = entry.getValue();
      if (value.valueType() == ConfigValueType.OBJECT && !((ConfigObject) value).isEmpty()) {
        walkLeaves((ConfigObject) value, path, reference, open, unknown);
      } else if (!reference.hasPathOrNull(path)) {
        unknown.add(path);
      }
    }
  }

  private static boolean isUnderOpenSection(String path, Set<String> open) {
    for (String section : open) {
      if (path.startsWith(section + ".")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> describeUnknown(List<String> unknown, Config user, Config reference) {
    List<String> known = knownPaths(reference);
    List<String> lines = new ArrayList<>();
    for (String key : unknown) {
      String origin = ConfigReader.originOf(user, key);
      StringBuilder line = new StringBuilder("Unknown config key '").append(key).append("'");
      if (!origin.isEmpty()) {
        line.append(" (set at ").append(origin).append(")");
      }
      String suggestion = closest(key, known);
      if (suggestion != null) {
        line.append("; did you mean '").append(suggestion).append("'?");
      } else {
        line.append("; no module declares it.");
      }
      lines.add(line.toString());
    }
    return lines;
  }

  static List<String> knownPaths(Config reference) {
    List<String> out = new ArrayList<>();
    collect(reference.root(), "", out);
    return out;
  }

  private static void collect(ConfigObject object, String prefix, List<String> out) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String path = prefix.isEmpty()
          ? ConfigUtil.joinPath(entry.getKey())
          : prefix + "." + ConfigUtil.joinPath(entry.getKey());
      if (entry.getValue().valueType() == ConfigValueType.OBJECT
          && !((ConfigObject) entry.getValue()).isEmpty()) {
        collect((ConfigObject) entry.getValue(), path, out);
      } else {
        out.add(path);
      }
    }
  }

  /** The known key nearest to {@code key} by edit distance, when it is plausibly a typo. */
  private static String closest(String key, List<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = editDistance(key, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    if (best != null && bestDistance <= Math.max(2, key.length() / 4)) {
      return best;
    }
    // not a typo but a shortened name ("batch-size" for "batch-size-per-worker"): the one key of the same section
    // whose last part begins with this key's
    int dot = key.lastIndexOf('.');
    String section = key.substring(0, dot + 1);
    String start = key.substring(dot + 1);
    List<String> extended = known.stream()
        .filter(k -> k.startsWith(section) && k.indexOf('.', section.length()) < 0
            && k.substring(section.length()).startsWith(start))
        .toList();
    return !start.isEmpty() && extended.size() == 1 ? extended.get(0) : null;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
