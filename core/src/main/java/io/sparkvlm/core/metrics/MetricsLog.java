package io.sparkvlm.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A training run's metrics, {@code metrics.jsonl} in its folder: one JSON object per line, each with {@code step}
 * and whatever was measured then (loss, learning rate, samples/s, evaluation results). The report draws its
 * training curves from it. Rewritten whole and atomically on every {@link #append} (S3 has no append), so a
 * reader never sees half a line; on resume, lines past the checkpoint's step are dropped.
 */
public final class MetricsLog {
  public static final String FILE_NAME = "metrics.jsonl";

  private final Path file;
  private final Configuration conf;
  private final List<JsonNode> lines = new ArrayList<>();

  private MetricsLog(Path file, Configuration conf) {
    this.file = file;
    this.conf = conf;
  }

  /** A new log in {@code folder}, keeping the existing lines up to {@code upToStep} (for a resumed run). */
  public static MetricsLog open(String folder, long upToStep, Configuration conf) throws IOException {
    MetricsLog log = new MetricsLog(new Path(folder, FILE_NAME), conf);
    for (JsonNode line : read(folder, conf)) {
      if (line.path("step").asLong(Long.MAX_VALUE) <= upToStep) {
        log.lines.add(line);
      }
    }
    return log;
  }

  /** The lines of {@code folder}'s log; empty when there is none. */
  public static List<JsonNode> read(String folder, Configuration conf) throws IOException {
    Path file = new Path(folder, FILE_NAME);
    List<JsonNode> out = new ArrayList<>();
    if (!file.getFileSystem(conf).exists(file)) {
      return out;
    }
    for (String line : new String(HadoopFiles.readAll(file, conf), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.add(Json.MAPPER.readTree(line));
      }
    }
    return out;
  }

  public void append(long step, Map<String, ?> values) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("step", step);
    values.forEach((k, v) -> n.set(k, Json.MAPPER.valueToTree(v)));
    lines.add(n);
    StringBuilder all = new StringBuilder();
    for (JsonNode line : lines) {
      all.append(line.toString()).append('\n');
    }
    try {
      HadoopFiles.writeAtomically(file, all.toString().getBytes(StandardCharsets.UTF_8), conf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
