package io.sparkvlm.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.testing.S3ProxyServer;
import io.sparkvlm.core.testing.SparkTestSessions;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairs read from and checkpoints written to s3a:// (S3Proxy on 127.0.0.1); a resume reads them back. */
class PretrainClipS3Test {
  @TempDir static Path dir;
  static S3ProxyServer s3;

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void checkpointsToS3aAndResumesFromThem() throws Exception {
    s3 = S3ProxyServer.start();
    SparkSession spark = SparkTestSessions.local();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    s3.applyTo(conf);
    Path world = WorldPairs.world(spark, dir, 1200);
    String pairs = s3.uri("runs/1/pairs");
    WorldPairs.pairs(spark, world, pairs);
    String out = s3.uri("runs/1/clip");
    List<String> recipe = List.of("pretrain.clip.input=\"" + pairs + "\"", "pretrain.clip.output=\"" + out + "\"",
        "pretrain.clip.model=nano", "pretrain.clip.workers=2", "pretrain.clip.batch-size-per-worker=16",
        "pretrain.clip.averaging-frequency=5", "pretrain.clip.log-every-steps=5",
        "pretrain.clip.checkpoint-every-steps=10", "pretrain.clip.epochs=1", "pretrain.clip.eval.root=null");
    PretrainClipJobTest.run(spark, recipe);
    String newest = Checkpoints.latestComplete(out + "/checkpoints", conf).orElseThrow();
    assertThat(newest).startsWith("s3a://");
    long steps = Checkpoints.readManifest(newest, conf).step();
    assertThat(steps).isPositive();
    assertThat(ModelCheckpoints.loadModel(newest, conf).getConfiguration().getIterationCount()).isEqualTo(steps);
    assertThat(MetricsLog.read(out, conf)).hasSize((int) steps / 5);

    // resuming a finished run loads the newest checkpoint from S3 and has nothing left to do
    List<String> resume = new java.util.ArrayList<>(recipe);
    resume.add("pretrain.clip.resume=true");
    String summary = PretrainClipJobTest.run(spark, resume);
    assertThat(summary).contains(steps + " steps (0 this run)");
  }
}
