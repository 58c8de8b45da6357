package io.sparkvlm.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.JsonFiles;
import io.sparkvlm.core.io.HadoopFiles;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Input files that a config key names (an eval set, a tokenizer, an instances file). Checked before a stage's work,
 * so that a wrong path is an error naming the key and the file instead of a stack trace from deep in the stage.
 */
public final class ConfiguredFiles {
  private ConfiguredFiles() {}

  /** Every one of {@code files} exists; the first missing one is a {@link ConfigError} naming {@code key}. */
  public static void requireAll(String key, List<Path> files, Configuration conf) throws IOException {
    List<String> missing = HadoopFiles.missing(files.stream().map(Path::toString).toList(), conf);
    if (!missing.isEmpty()) {
      throw new ConfigError(key, "Config key '" + key + "' names " + missing.get(0) + ", which does not exist"
          + (missing.size() > 1 ? " (nor do " + (missing.size() - 1) + " more of the files it names)" : ""));
    }
  }

  /** The bytes of {@code file}, which config key {@code key} names. */
  public static byte[] read(String key, Path file, Configuration conf) throws IOException {
    requireAll(key, List.of(file), conf);
    return HadoopFiles.readAll(file, conf);
  }

  /**
   * The JSON value of {@code file}, which config key {@code key} names. Text that is not one JSON value (a syntax
   * error, or two values one after the other) is a {@link DatasetError} naming the file, the key and the place.
   */
  public static JsonNode readJson(String key, Path file, Configuration conf) throws IOException {
    return JsonFiles.parse(read(key, file, conf), file + " (" + key + ")");
  }
}
