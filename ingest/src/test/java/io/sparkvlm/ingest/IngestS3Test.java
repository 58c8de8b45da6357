package io.sparkvlm.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.testing.S3ProxyServer;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.synth.SynthConfig;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest reading WebDataset shards from s3a:// and writing its work folder and dataset to s3a://, via S3Proxy. */
class IngestS3Test {
  @TempDir static Path dir;
  static S3ProxyServer s3;
  static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.start();
    spark = SparkTestSessions.local();
    s3.applyTo(spark.sparkContext().hadoopConfiguration());
    Path world = dir.resolve("world");
    SynthConfig synth = SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(),
        List.of("synth.out=" + world, "synth.scenes=120", "synth.web.shard-size=40")))));
    SyntheticWorld.generate(spark, synth);
    try (Stream<Path> tars = Files.list(world.resolve(SyntheticWorld.SHARDS))) {
      for (Path tar : tars.toList()) {
        s3.client().putObject(s3.bucket(), "web/" + tar.getFileName(), tar.toFile());
      }
    }
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void ingestsFromAndToS3a() throws Exception {
    Config config = ConfigLoader.load(new ConfigSources(List.of(), List.of(
        "ingest.input.path=" + s3.uri("web/"), "ingest.input.format=webdataset",
        "ingest.output=" + s3.uri("runs/1/pairs"), "ingest.rows-per-shard=30", "ingest.image.size=32")));
    IngestJob job = new IngestJob();
    JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config)));
    DatasetManifest m = Datasets.readManifest(s3.uri("runs/1/pairs"), spark.sparkContext().hadoopConfiguration());
    assertThat(m.rows().total()).isEqualTo(90); // 75% of 120 scenes are web
    assertThat(m.rows().byStatus()).containsEntry("success", 90L);
    assertThat(m.inputs().get(0).kind()).isEqualTo("listing");
    assertThat(Datasets.read(spark, s3.uri("runs/1/pairs"), PairsSchema.SCHEMA).count()).isEqualTo(90);
    List<String> keys = s3.client().listObjects(s3.bucket(), "runs/1/pairs-work/stats/").getObjectSummaries()
        .stream().map(o -> o.getKey()).filter(k -> k.endsWith(".json")).toList();
    assertThat(keys).hasSize(3); // 90 rows in shards of 30
  }
}
