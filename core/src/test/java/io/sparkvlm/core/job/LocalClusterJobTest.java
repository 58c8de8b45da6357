package io.sparkvlm.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.testing.PidRowsJob;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.core.testing.TestRows;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small job on local-cluster[2,1,1024]: a master, two workers and two real executor JVMs. */
class LocalClusterJobTest {
  @TempDir Path dir;

  @AfterAll
  static void backToLocal() {
    SparkTestSessions.stop();
  }

  @Test
  void aJobRunsOnTwoExecutorJvmsAndCommitsItsDataset() throws Exception {
    SparkSession spark = SparkTestSessions.localCluster();
    assertThat(spark.sparkContext().master()).isEqualTo("local-cluster[2,1,1024]");
    String out = dir.resolve("pids").toString();
    PidRowsJob job = new PidRowsJob();
    // the effective config the launcher records (and reads output.* from): the defaults
    JobLauncher.execute(job, spark, ConfigLoader.load(new ConfigSources(List.of(), List.of())),
        new PidRowsJob.Config(out, 400, false));

    DatasetManifest manifest = Datasets.readManifest(out, spark.sparkContext().hadoopConfiguration());
    assertThat(manifest.rows().total()).isEqualTo(400);
    assertThat(manifest.rows().byStatus()).containsEntry("failed", 80L);

    List<Row> rows = Datasets.read(spark, out, TestRows.SCHEMA).collectAsList();
    assertThat(rows).hasSize(400);
    Set<Long> pids = rows.stream().map(r -> r.getLong(1)).collect(Collectors.toSet());
    // Work ran in two separate executor processes, neither of them this (driver) JVM.
    assertThat(pids).hasSize(2).doesNotContain(ProcessHandle.current().pid());
  }
}
