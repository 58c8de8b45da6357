package io.sparkvlm.core.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.sparkvlm.core.config.ConfigError;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The model presets: data files {@code conf/models/NAME.conf} on the class path (the repository's {@code conf/}
 * folder, packaged into the jar), found by listing that folder. Each declares {@code model.kind} (clip, when
 * absent: the first presets were all CLIPs) and the shape of that kind.
 */
public final class ModelPresets {
  static final String FOLDER = "conf/models";

  /** The kinds of model a preset can describe. */
  public enum Kind {
    CLIP, LM;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private ModelPresets() {}

  /** The names of every preset of {@code kind}, sorted by size (parameters) then name. */
  public static List<String> names(Kind kind) {
    List<String> out = new ArrayList<>();
    for (String name : allNames()) {
      if (kindOf(load(name)) == kind) {
        out.add(name);
      }
    }
    out.sort(java.util.Comparator.comparingLong((String n) -> size(kind, n)).thenComparing(n -> n));
    return out;
  }

  private static long size(Kind kind, String name) {
    return kind == Kind.CLIP ? ClipShape.from(load(name)).params() : LanguageModel.Shape.from(load(name)).params();
  }

  /** The preset's configuration, checked to be of {@code kind}; an unknown name is an error listing the kind's. */
  static Config load(String name, Kind kind) {
    List<String> all = allNames();
    if (!all.contains(name)) {
      throw new ConfigError("model", "No model preset '" + name + "' (looked for " + FOLDER + "/" + name + ".conf; "
          + kind.key() + " presets: " + String.join(", ", names(kind)) + ")");
    }
    Config c = load(name);
    if (kindOf(c) != kind) {
      throw new ConfigError("model", "Model preset '" + name + "' is a " + kindOf(c).key() + " preset, not a "
          + kind.key() + " one (" + kind.key() + " presets: " + String.join(", ", names(kind)) + ")");
    }
    checkKeys(name, c, kind);
    return c;
  }

  /** A tower's keys under its section; {@code activation} and a CLIP vision tower's {@code pool} are optional. */
  private static final List<String> TOWER_KEYS = List.of("width", "layers", "heads", "mlp-ratio", "activation");

  /** Every key a preset of {@code kind} may set: a misspelt optional key would otherwise fall back to its default. */
  static java.util.Set<String> knownKeys(Kind kind) {
    java.util.Set<String> out = new java.util.TreeSet<>(List.of("model.kind", "model.name"));
    if (kind == Kind.CLIP) {
      out.add("model.embed-dim");
      TOWER_KEYS.forEach(k -> out.add("model.vision." + k));
      TOWER_KEYS.forEach(k -> out.add("model.text." + k));
      out.addAll(List.of("model.vision.image-size", "model.vision.patch-size", "model.vision.pool",
          "model.vision.resize", "model.vision.interpolation", "model.vision.fill-color",
          "model.text.context-length", "model.text.vocab-size"));
    } else {
      TOWER_KEYS.forEach(k -> out.add("model." + k));
      out.addAll(List.of("model.context-length", "model.vocab-size"));
    }
    return out;
  }

  static void checkKeys(String name, Config c, Kind kind) {
    java.util.Set<String> known = knownKeys(kind);
    List<String> unknown = c.entrySet().stream().map(Map.Entry::getKey).filter(k -> !known.contains(k)).sorted()
        .toList();
    if (!unknown.isEmpty()) {
      throw new ConfigError(unknown.get(0), "Model preset '" + name + "' sets keys a " + kind.key() + " preset does "
          + "not have: " + String.join(", ", unknown) + " (known: " + String.join(", ", known) + ")");
    }
  }

  private static Config load(String name) {
    return ConfigFactory.parseResources(ModelPresets.class.getClassLoader(), FOLDER + "/" + name + ".conf",
        ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
  }

  private static Kind kindOf(Config c) {
    String kind = c.hasPath("model.kind") ? c.getString("model.kind") : "clip";
    for (Kind k : Kind.values()) {
      if (k.key().equals(kind)) {
        return k;
      }
    }
    throw new ConfigError("model.kind", "Unknown model kind '" + kind + "' in a preset (expected clip or lm)");
  }

  /** Every preset file's name without .conf, sorted. */
  static List<String> allNames() {
    URL url = ModelPresets.class.getClassLoader().getResource(FOLDER);
    if (url == null) {
      throw new IllegalStateException(FOLDER + " is not on the class path");
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        return list(fs.getPath(FOLDER));
      }
      return list(Path.of(uri));
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("Cannot list the model presets in " + url + ": " + e.getMessage(), e);
    }
  }

  private static List<String> list(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf"))
          .map(n -> n.substring(0, n.length() - ".conf".length())).sorted().toList();
    }
  }
}
