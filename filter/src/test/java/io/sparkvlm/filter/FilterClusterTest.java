package io.sparkvlm.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.FilterDecisions;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.synth.testing.StageWorld;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter job with two real executor JVMs (local-cluster[2,1,1024]): both models train by parameter averaging
 * across processes, captions and scores are computed on the executors, and the outputs account for every row.
 */
class FilterClusterTest {
  @TempDir static Path dir;

  @AfterAll
  static void stop() {
    SparkTestSessions.stop();
  }

  @Test
  void capfiltRunsAcrossTwoExecutorJvms() throws Exception {
    SparkSession spark = SparkTestSessions.localCluster();
    Path world = StageWorld.world(spark, dir, 240);
    List<StageWorld.Pair> web = StageWorld.webPairs(world);
    String pairs = dir.resolve("pairs").toString();
    StageWorld.pairs(spark, web, pairs);
    String clip = StageWorld.clip(spark, web, dir, 40);
    String lm = StageWorld.lm(spark, web, dir, 40);
    Set<String> executors = ConcurrentHashMap.newKeySet();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        executors.add(end.taskInfo().executorId());
      }
    });
    Path root = dir.resolve("run");
    List<String> overrides = new ArrayList<>(List.of("paths.root=\"" + root + "\"", "paths.synth=\"" + world + "\"",
        "filter.input=\"" + pairs + "\"", "filter.clip=\"" + clip + "\"", "filter.lm=\"" + lm + "\"",
        "filter.captioner.workers=2", "filter.matcher.workers=2", "filter.captioner.batch-size-per-worker=8",
        "filter.matcher.batch-size-per-worker=8", "filter.captioner.epochs=2", "filter.matcher.epochs=2",
        "filter.captioner.log-every-steps=5", "filter.matcher.log-every-steps=5", "filter.captions.max-tokens=8",
        "filter.captions.min-tokens=2"));
    Config config = ConfigLoader.load(new ConfigSources(List.of(), overrides));
    FilterJob job = new FilterJob();
    String summary = JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))).summary();

    assertThat(executors).as("tasks ran on both executor JVMs").hasSize(2);
    JsonNode counts = Json.MAPPER.readTree(root.resolve("filter").resolve(CapFilt.MANIFEST).toFile())
        .get("counts");
    assertThat(counts.get("images").asLong()).as(summary).isEqualTo(web.size());
    assertThat(counts.get("web_kept").asLong() + counts.get("web_dropped").asLong()).isEqualTo(web.size());
    assertThat(counts.get("synthetic_generated").asLong()).isEqualTo(web.size());
    assertThat(FilterDecisions.read(root.resolve("filter").resolve(CapFilt.DECISIONS).toString(),
        new Configuration())).hasSize(web.size());
  }
}
