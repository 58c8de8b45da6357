package io.sparkvlm.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sparkvlm.core.checkpoint.CheckpointsTest;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.testing.S3ProxyServer;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.core.testing.TestRows;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dataset and checkpoint contracts on s3a:// through a real S3-compatible server (S3Proxy) on 127.0.0.1. */
class S3DatasetsTest {
  private static S3ProxyServer s3;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    s3 = S3ProxyServer.start();
    spark = SparkTestSessions.local();
    s3.applyTo(spark.sparkContext().hadoopConfiguration());
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void parquetRoundTripWithManifestOnS3a() throws Exception {
    s3.client().putObject(s3.bucket(), "inputs/urls.tsv", "url\tcaption\n");
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    InputRef input = InputRef.of(s3.uri("inputs/urls.tsv"), conf);
    String out = s3.uri("datasets/rows");

    Datasets.writeRows(TestRows.rows(spark, 12), out, TestRows.SCHEMA, false);
    Datasets.commit(spark, new Datasets.WrittenDataset(out, TestRows.SCHEMA, List.of(input)),
        new Datasets.Provenance("test-stage", JsonNodeFactory.instance.objectNode(), Instant.now()));

    assertThat(Datasets.read(spark, out, TestRows.SCHEMA).collectAsList())
        .containsExactlyInAnyOrderElementsOf(TestRows.rows(spark, 12).collectAsList());
    DatasetManifest manifest = Datasets.readManifest(out, conf);
    assertThat(manifest.rows().byStatus()).containsEntry("success", 8L).containsEntry("failed", 4L);
    assertThat(manifest.inputs()).containsExactly(input);
    assertThat(input.kind()).isEqualTo("file");
    // The objects really are in the bucket, as S3 sees them.
    List<String> keys = s3.client().listObjects(s3.bucket(), "datasets/rows/").getObjectSummaries().stream()
        .map(o -> o.getKey()).toList();
    assertThat(keys).contains("datasets/rows/_manifest.json", "datasets/rows/_SUCCESS")
        .anyMatch(k -> k.endsWith(".parquet"));
    assertThat(new String(s3.client().getObject(s3.bucket(), "datasets/rows/_manifest.json").getObjectContent()
        .readAllBytes(), StandardCharsets.UTF_8)).contains("\"name\" : \"test-rows\"");
  }

  @Test
  void checkpointsOnS3a() throws Exception {
    CheckpointsTest.exerciseCheckpoints(s3.uri("checkpoints/run-1"), spark.sparkContext().hadoopConfiguration());
  }

  @Test
  void configFilesCanLiveOnS3a() {
    s3.client().putObject(s3.bucket(), "conf/run.conf", "spark.app-name = from-s3\n");
    // Config is read before any Spark session exists; like Spark, ConfigSources takes S3A settings from
    // spark.hadoop.* system properties (what spark-submit --conf spark.hadoop.... sets).
    s3.hadoopSettings().forEach((k, v) -> System.setProperty("spark.hadoop." + k, v));
    try {
      var config = ConfigLoader.load(new ConfigSources(List.of(s3.uri("conf/run.conf")), List.of()));
      assertThat(config.getString("spark.app-name")).isEqualTo("from-s3");
    } finally {
      s3.hadoopSettings().keySet().forEach(k -> System.clearProperty("spark.hadoop." + k));
    }
  }
}
