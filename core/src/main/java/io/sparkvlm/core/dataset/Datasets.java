package io.sparkvlm.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.runtime.Versions;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writing and reading spark-vlm datasets: Parquet folders written through Spark's commit protocol, made complete
 * by a {@code _manifest.json} written last, and checked against their schema on read.
 *
 * <p>Writing is two steps. {@link #writeRows} writes the Parquet data (refusing to replace an existing dataset
 * unless asked, and removing the old manifest first, so an interrupted rewrite is never mistaken for a complete
 * dataset). {@link #commit} then counts the written rows by status and writes the manifest. Stage jobs do the
 * first inside {@code run(spark, config)}; the job launcher does the second once {@code run} has returned.
 */
public final class Datasets {
  private Datasets() {}

  /** Writes {@code rows} as Parquet at {@code location} after checking them against {@code schema}. */
  public static void writeRows(Dataset<Row> rows, String location, DatasetSchema schema, boolean overwrite) {
    writeRows(rows, location, schema, overwrite, 0);
  }

  /** As above, with at most {@code rowsPerFile} rows in each Parquet file (0: no limit). */
  public static void writeRows(Dataset<Row> rows, String location, DatasetSchema schema, boolean overwrite,
      long rowsPerFile) {
    List<String> problems = schema.problems(rows.schema());
    if (!problems.isEmpty()) {
      throw new DatasetError("Rows to write at " + location + " do not match schema " + schema.id() + ": "
          + String.join("; ", problems));
    }
    Configuration conf = rows.sparkSession().sparkContext().hadoopConfiguration();
    Path path = new Path(location);
    if (requireWritable(location, overwrite, conf)) {
      try {
        path.getFileSystem(conf).delete(new Path(path, DatasetManifest.FILE_NAME), false);
      } catch (IOException e) {
        throw new DatasetError("Cannot remove the old manifest of " + location + ": " + e.getMessage(), e);
      }
    }
    rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
        .option("maxRecordsPerFile", rowsPerFile).parquet(location);
  }

  /**
   * Refuses an output that already holds something unless {@code overwrite}: what {@link #writeRows} checks, for a
   * stage to call before any work. Returns whether something is there (and will be replaced).
   */
  public static boolean requireWritable(String location, boolean overwrite, Configuration conf) {
    try {
      boolean exists = HadoopFiles.existsWithContent(new Path(location), conf);
      if (exists && !overwrite) {
        throw new DatasetError("Output " + location + " already exists; pass --overwrite (output.overwrite = true)"
            + " to replace it");
      }
      return exists;
    } catch (IOException e) {
      throw new DatasetError("Cannot inspect output " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the manifest of a dataset whose rows {@link #writeRows} has written: counts rows by the schema's status
   * column (reading the Parquet footers and the status column only) and records provenance.
   */
  public static DatasetManifest commit(SparkSession spark, WrittenDataset written, Provenance provenance) {
    DatasetSchema schema = written.schema();
    Dataset<Row> rows = spark.read().parquet(written.location());
    List<String> problems = schema.problems(rows.schema());
    if (!problems.isEmpty()) {
      throw new DatasetError("Dataset at " + written.location() + " does not match schema " + schema.id() + ": "
          + String.join("; ", problems));
    }
    Map<String, Long> byStatus = new LinkedHashMap<>();
    long total;
    if (schema.statusColumn().isPresent()) {
      String column = schema.statusColumn().get();
      total = 0;
      for (Row r : rows.groupBy(column).count().collectAsList()) {
        String status = r.isNullAt(0) ? "null" : r.get(0).toString();
        byStatus.put(status, r.getLong(1));
        total += r.getLong(1);
      }
    } else {
      total = rows.count();
    }
    DatasetManifest manifest = new DatasetManifest(
        new DatasetManifest.SchemaRef(schema.name(), schema.version()),
        new DatasetManifest.RowCounts(total, byStatus),
        provenance.stage(), written.inputs(), provenance.config(), Versions.all(),
        provenance.startedAt().toString(), Instant.now().toString());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      HadoopFiles.writeAtomically(new Path(written.location(), DatasetManifest.FILE_NAME), manifest.toJson(), conf);
    } catch (IOException e) {
      throw new DatasetError("Cannot write the manifest of " + written.location() + ": " + e.getMessage(), e);
    }
    return manifest;
  }

  /** As {@link #read}, for a dataset a config key names: a dataset that cannot be read names the key. */
  public static Dataset<Row> readFor(String configKey, SparkSession spark, String location, DatasetSchema expected) {
    try {
      return read(spark, location, expected);
    } catch (DatasetError e) {
      throw new DatasetError(configKey + ": " + e.getMessage(), e);
    }
  }

  /** Reads a complete dataset, refusing one without a manifest or of another schema or version. */
  public static Dataset<Row> read(SparkSession spark, String location, DatasetSchema expected) {
    DatasetManifest manifest = readManifest(location, spark.sparkContext().hadoopConfiguration());
    if (!manifest.schema().name().equals(expected.name())) {
      throw new DatasetError("Dataset at " + location + " holds schema '" + manifest.schema().name()
          + "', but this stage reads '" + expected.name() + "'");
    }
    if (manifest.schema().version() != expected.version()) {
      throw new DatasetError("Dataset at " + location + " has schema " + manifest.schema().name() + " version "
          + manifest.schema().version() + "; this build of spark-vlm reads version " + expected.version()
          + " only. Re-create it with this version's stage, or use the spark-vlm version that wrote it ("
          + manifest.versions().getOrDefault("spark_vlm", "unknown") + ")");
    }
    Dataset<Row> rows = spark.read().parquet(location);
    List<String> problems = expected.problems(rows.schema());
    if (!problems.isEmpty()) {
      throw new DatasetError("Dataset at " + location + " claims schema " + expected.id()
          + " but its Parquet files do not match it: " + String.join("; ", problems));
    }
    return rows;
  }

  public static DatasetManifest readManifest(String location, Configuration conf) {
    Path manifestPath = new Path(location, DatasetManifest.FILE_NAME);
    try {
      FileSystem fs = manifestPath.getFileSystem(conf);
      if (!fs.exists(new Path(location))) {
        throw new DatasetError("No dataset at " + location + ": the path does not exist");
      }
      if (!fs.exists(manifestPath)) {
        throw new DatasetError("Dataset at " + location + " is incomplete or was not written by spark-vlm: it has"
            + " no " + DatasetManifest.FILE_NAME + " (an interrupted write leaves none; rerun the stage that"
            + " writes it)");
      }
      return DatasetManifest.fromJson(HadoopFiles.readAll(manifestPath, conf));
    } catch (FileNotFoundException e) {
      throw new DatasetError("No dataset at " + location + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatasetError("Cannot read " + manifestPath + ": " + e.getMessage(), e);
    }
  }

  /** A dataset written by a stage, waiting for its manifest. */
  public record WrittenDataset(String location, DatasetSchema schema, List<InputRef> inputs) {
    public WrittenDataset {
      inputs = List.copyOf(inputs);
    }
  }

  /** Who wrote a dataset and with which configuration. */
  public record Provenance(String stage, JsonNode config, Instant startedAt) {}
}
