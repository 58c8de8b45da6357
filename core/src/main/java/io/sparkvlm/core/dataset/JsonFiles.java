package io.sparkvlm.core.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Data files that hold one JSON value (COCO and LLaVA files, eval sets, instances, questions): read whole and parsed
 * strictly, as Python's {@code json.load} does, so a second value after the first ("Extra data") or a syntax error is
 * a {@link DatasetError} naming the file and the place rather than a parser's stack trace or a silently shorter file.
 */
public final class JsonFiles {
  private JsonFiles() {}

  /** The one JSON value of {@code file}, {@code kind} saying what it should be ("the LLaVA conversation file"). */
  public static JsonNode read(Path file, Configuration conf, String kind) {
    byte[] bytes;
    try {
      bytes = HadoopFiles.readAll(file, conf);
    } catch (IOException e) {
      throw new DatasetError("cannot read " + kind + " " + file + ": " + e.getMessage(), e);
    }
    return parse(bytes, file.toString());
  }

  /**
   * The one JSON value of {@code bytes}, read from {@code source} (a file, with the config key that names it where
   * there is one).
   */
  public static JsonNode parse(byte[] bytes, String source) {
    try {
      return Json.WHOLE_TREE.readValue(bytes);
    } catch (JsonProcessingException e) {
      throw new DatasetError(source + " is not one JSON value: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr()), e);
    } catch (IOException e) {
      throw new DatasetError("cannot read " + source + ": " + e.getMessage(), e);
    }
  }
}
