package io.sparkvlm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.bench.SgemmPeak;
import io.sparkvlm.core.model.bench.TrainingThroughput;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.spark.SparkSessions;
import io.sparkvlm.core.spark.SparkSettings;
import io.sparkvlm.pretrain.PretrainClipJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm bench pretrain}: CLIP pretraining throughput and MFU for a preset: one process without Spark (all
 * cores, and one core), then the real pretrain job (Spark local, parameter averaging, real data decode from an
 * ingested synthetic world) with 1 worker on 1 core and with W workers on 1 core each. Scaling efficiency =
 * throughput with W workers / (W x throughput with 1). Throughput of a Spark run = median over its slices but the
 * first (JIT and graph set-up). MFU = model FLOP/s over the sgemm peak of all cores measured in the same run.
 */
public final class PretrainBench {
  private PretrainBench() {}

  /** {@code steps} 0: each Spark run trains one epoch of the world's pairs; else that many steps (epochs as needed). */
  public static int run(Path dir, String preset, int batch, int scenes, int averaging, int steps, Path json)
      throws Exception {
    ClipShape shape = ClipShape.preset(preset);
    int cores = Runtime.getRuntime().availableProcessors();
    SgemmPeak.Result peak = SgemmPeak.measure(2048, 9);
    Nd4jThreads.set(1);
    SgemmPeak.Result peak1 = SgemmPeak.measure(2048, 5);
    BenchTable table = new BenchTable("pretrain clip benchmark, " + shape.name() + " (spark-vlm "
        + Versions.codeVersion() + ")");
    table.context("cores", cores);
    table.context("OPENBLAS_THREAD_TIMEOUT", Nd4jThreads.openBlasThreadTimeout());
    table.context("sgemm peak, all cores", String.format("%.1f GFLOP/s", peak.medianGflops()));
    table.context("sgemm peak, 1 thread", String.format("%.1f GFLOP/s", peak1.medianGflops()));
    table.context("train GFLOP/sample", String.format("%.3f", shape.trainingFlopsPerSample() / 1e9));
    table.context("steps per Spark run", steps == 0 ? "one epoch" : steps);

    double flops = shape.trainingFlopsPerSample() / 1e9;
    Nd4jThreads.set(cores);
    TrainingThroughput.Result all = TrainingThroughput.measure(shape, batch, 3, 8);
    table.add(row("one process, no Spark", 1, cores, batch, all.samplesPerSecond(), flops, peak.medianGflops()));
    Nd4jThreads.set(1);
    TrainingThroughput.Result one = TrainingThroughput.measure(shape, batch, 3, 8);
    table.add(row("one process, no Spark", 1, 1, batch, one.samplesPerSecond(), flops, peak.medianGflops()));
    System.err.println(table.render());

    Path world = dir.resolve("synth");
    Path pairs = dir.resolve("pairs");
    List<String> base = new ArrayList<>(List.of("paths.root=" + dir, "spark.master=local[" + cores + "]"));
    base.addAll(io.sparkvlm.cli.LocalWorld.synthAndIngestSettings(world, pairs, scenes, io.sparkvlm.cli.LocalWorld.freePort()));
    Config setup = ConfigLoader.load(new ConfigSources(List.of(), base));
    SparkSession spark = SparkSessions.open(SparkSettings.from(new ConfigReader(setup)));
    try {
      io.sparkvlm.cli.LocalWorld.synthAndIngest(spark, setup, world, pairs);
      double single = 0;
      for (int workers : new int[] {1, cores}) {
        Path out = dir.resolve("clip-" + workers);
        List<String> o = new ArrayList<>(base);
        o.addAll(List.of("pretrain.clip.input=" + pairs, "pretrain.clip.output=" + out,
            "pretrain.clip.model=" + preset, "pretrain.clip.workers=" + workers, "pretrain.clip.nd4j-threads=1",
            "pretrain.clip.batch-size-per-worker=" + batch, "pretrain.clip.averaging-frequency=" + averaging,
            "pretrain.clip.log-every-steps=" + averaging, "pretrain.clip.checkpoint-every-steps=100000",
            "pretrain.clip.eval.root=null"));
        // a step count rather than an epoch: the same steady-state length whatever the batch and world size
        o.addAll(steps == 0 ? List.of("pretrain.clip.epochs=1")
            : List.of("pretrain.clip.epochs=100000", "pretrain.clip.max-steps=" + steps));
        Config config = ConfigLoader.load(new ConfigSources(List.of(), o));
        PretrainClipJob job = new PretrainClipJob();
        JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config)));
        double sps = medianAfterFirst(MetricsLog.read(out.toString(), new Configuration()));
        Map<String, Object> r = row("spark local, parameter averaging every " + averaging, workers, 1, batch, sps,
            flops, peak.medianGflops());
        if (workers == 1) {
          single = sps;
          r.put("vs one process, 1 thread", sps / one.samplesPerSecond());
        } else {
          r.put("scaling efficiency", sps / (workers * single));
        }
        table.add(r);
        System.err.println(table.render());
      }
    } finally {
      spark.stop();
    }
    table.printAndWrite(json);
    return 0;
  }

  private static Map<String, Object> row(String how, int workers, int threads, int batch, double samplesPerSecond,
      double gflopPerSample, double peakGflops) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("run", how);
    r.put("workers", workers);
    r.put("threads/worker", threads);
    r.put("batch/worker", batch);
    r.put("samples/s", samplesPerSecond);
    r.put("model GFLOP/s", samplesPerSecond * gflopPerSample);
    r.put("MFU % (all-core peak)", 100 * samplesPerSecond * gflopPerSample / peakGflops);
    return r;
  }

  private static double medianAfterFirst(List<JsonNode> log) {
    double[] v = log.stream().skip(log.size() > 1 ? 1 : 0).mapToDouble(n -> n.get("samples_per_s").asDouble())
        .sorted().toArray();
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }
}
