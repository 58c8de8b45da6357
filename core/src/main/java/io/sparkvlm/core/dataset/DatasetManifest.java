package io.sparkvlm.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code _manifest.json}, written beside a dataset's Parquet files once the data is complete. A dataset without
 * one is incomplete (an interrupted write) and every reader refuses it.
 *
 * @param schema schema name and version of the rows
 * @param rows row counts, in total and by status
 * @param stage the stage that wrote the dataset
 * @param inputs what the stage read, with hashes
 * @param config the effective configuration of the run, secrets redacted
 * @param versions spark-vlm, Java, Spark, Hadoop, DL4J versions
 * @param startedAt ISO-8601 instant the stage started
 * @param finishedAt ISO-8601 instant the data was complete
 */
public record DatasetManifest(SchemaRef schema, RowCounts rows, String stage, List<InputRef> inputs,
    JsonNode config, Map<String, String> versions, String startedAt, String finishedAt) {

  public static final String FILE_NAME = "_manifest.json";

  public record SchemaRef(String name, int version) {}

  public record RowCounts(long total, Map<String, Long> byStatus) {
    public RowCounts {
      byStatus = new TreeMap<>(byStatus);
    }
  }

  public DatasetManifest {
    inputs = List.copyOf(inputs);
    versions = new TreeMap<>(versions);
  }

  public byte[] toJson() {
    try {
      return Json.MAPPER.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialise manifest", e);
    }
  }

  public static DatasetManifest fromJson(byte[] json) throws IOException {
    return Json.MAPPER.readValue(json, DatasetManifest.class);
  }
}
