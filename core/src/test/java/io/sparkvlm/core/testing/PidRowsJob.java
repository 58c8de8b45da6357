package io.sparkvlm.core.testing;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.job.OutputSettings;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * A tiny real stage for launcher and distribution tests: writes {@code rows} rows whose value is the process id of
 * the executor JVM that computed it (every fifth row "failed"), so a test can see where work ran.
 */
public final class PidRowsJob implements StageJob<PidRowsJob.Config> {

  public record Config(String output, int rows, boolean overwrite) {}

  @Override
  public String name() {
    return "pid-rows";
  }

  @Override
  public Config readConfig(ConfigReader c) {
    return new Config(c.nonEmptyString("test-job.output"), c.intIn("test-job.rows", 1, 1_000_000),
        c.bool(OutputSettings.OVERWRITE));
  }

  /** Its dataset's manifest. */
  @Override
  public List<String> configSections() {
    return List.of("test-job");
  }

  @Override
  public List<String> completionMarkers(Config config) {
    return List.of(new org.apache.hadoop.fs.Path(config.output(), DatasetManifest.FILE_NAME).toString());
  }

  @Override
  public StageResult run(SparkSession spark, Config config) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ids = java.util.stream.IntStream.range(0, config.rows()).boxed().toList();
    JavaRDD<Row> rows = jsc.parallelize(ids, 4).map(i -> {
      boolean failed = i % 5 == 4;
      return RowFactory.create(String.format("%06d", i), ProcessHandle.current().pid(),
          failed ? "failed" : "success", failed ? "row " + i + " failed on purpose" : null);
    });
    Datasets.writeRows(spark.createDataFrame(rows, TestRows.TYPE), config.output(), TestRows.SCHEMA,
        config.overwrite());
    return new StageResult(List.of(new Datasets.WrittenDataset(config.output(), TestRows.SCHEMA, List.of())),
        config.rows() + " rows");
  }
}
