package io.sparkvlm.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** JSON Lines files (any Hadoop file system): one JSON object a line, blank lines skipped. */
public final class JsonLines {
  private JsonLines() {}

  /** A parsed line: its object, its number (from 1) and "FILE line N" for error messages. */
  public record Line(int number, String where, JsonNode json) {}

  /**
   * The non-blank lines of {@code file}, parsed. A file that cannot be read, or a line that is not a JSON object, is
   * an error made by {@code error} from a message naming the file and the line.
   */
  public static List<Line> read(Path file, Configuration conf, Function<String, ? extends RuntimeException> error) {
    String text;
    try {
      text = new String(HadoopFiles.readAll(file, conf), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw error.apply("cannot read " + file + ": " + e.getMessage());
    }
    List<Line> out = new ArrayList<>();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String where = file + " line " + (i + 1);
      JsonNode n;
      try {
        n = Json.WHOLE_TREE.readValue(lines[i]);
      } catch (IOException e) {
        throw error.apply(where + " is not a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
      }
      if (!n.isObject()) {
        throw error.apply(where + " is not a JSON object");
      }
      out.add(new Line(i + 1, where, n));
    }
    return out;
  }
}
