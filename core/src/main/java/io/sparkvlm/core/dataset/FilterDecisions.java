package io.sparkvlm.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.io.JsonLines;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The filter-decision contract: what a filter decided about each web pair, written by {@code vlm filter} and read by
 * {@code vlm eval filter}. JSON Lines, one object per web pair the filter judged:
 * <pre>
 *   {"url": "http://...", "kept": true, "score": 0.93}
 * </pre>
 * {@code url} is the pair's source URL (what the synthetic world's ground truth is keyed by), {@code kept} whether
 * the web caption was kept, {@code score} (optional) the filter's match score for it. Other keys are allowed and
 * ignored by readers. A location is one file, or a folder of part files (Spark's text output); a URL twice is an
 * error.
 */
public final class FilterDecisions {
  public static final String URL = "url";
  public static final String KEPT = "kept";
  public static final String SCORE = "score";

  private FilterDecisions() {}

  /** One decision; {@code score} may be absent. */
  public record Decision(String url, boolean kept, OptionalDouble score) {}

  /** The JSON line of a decision (no newline). */
  public static String toJson(Decision d) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put(URL, d.url());
    n.put(KEPT, d.kept());
    d.score().ifPresent(s -> n.put(SCORE, s));
    return n.toString();
  }

  /** url -> decision, in file order. */
  public static Map<String, Decision> read(String location, Configuration conf) {
    Map<String, Decision> out = new LinkedHashMap<>();
    for (Path file : files(location, conf)) {
      for (JsonLines.Line line : JsonLines.read(file, conf, IllegalArgumentException::new)) {
        String where = line.where();
        JsonNode n = line.json();
        for (String f : List.of(URL, KEPT)) {
          if (!n.has(f)) {
            throw new IllegalArgumentException(where + " has no '" + f + "'");
          }
        }
        if (!n.get(KEPT).isBoolean()) {
          throw new IllegalArgumentException(where + ": '" + KEPT + "' must be true or false, got " + n.get(KEPT));
        }
        if (n.has(SCORE) && !n.get(SCORE).isNumber()) {
          throw new IllegalArgumentException(where + ": '" + SCORE + "' must be a number, got " + n.get(SCORE));
        }
        String url = n.get(URL).asText();
        OptionalDouble score = n.has(SCORE) ? OptionalDouble.of(n.get(SCORE).asDouble()) : OptionalDouble.empty();
        if (out.put(url, new Decision(url, n.get(KEPT).asBoolean(), score)) != null) {
          throw new IllegalArgumentException(where + ": a second decision for URL " + url);
        }
      }
    }
    return out;
  }

  /** The file, or the folder's part files in name order (hidden and _-prefixed files skipped). */
  private static List<Path> files(String location, Configuration conf) {
    Path p = new Path(location);
    try {
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) {
        throw new IllegalArgumentException("cannot read " + location + ": no such file or folder");
      }
      if (!fs.getFileStatus(p).isDirectory()) {
        return List.of(p);
      }
      List<Path> out = new ArrayList<>();
      for (FileStatus s : fs.listStatus(p)) {
        String name = s.getPath().getName();
        if (s.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
          out.add(s.getPath());
        }
      }
      out.sort(java.util.Comparator.comparing(Path::getName));
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + location + ": " + e.getMessage(), e);
    }
  }
}
