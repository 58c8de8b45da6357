package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.testing.LocalClusterHarness;
import io.sparkvlm.filter.CapFilt;
import io.sparkvlm.cli.SparkHome.Submitted;
import io.sparkvlm.synth.SimulatedWeb;
import io.sparkvlm.synth.SyntheticWorld;
import io.sparkvlm.training.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The nano pipeline on a real Spark standalone cluster, submitted the way Airflow submits it: a Master and two
 * Workers (one core each) started from a SPARK_HOME assembled from the project's Spark runtime
 * (spark-runtime/target/classpath.txt), and every task of the Airflow DAG's stage table (conf/airflow) run through
 * {@code org.apache.spark.deploy.SparkSubmit} with its own main class and arguments, in the DAG's order, on a nano
 * config file (the DAG's {@code params.config}), with conf/spark/spark-defaults.standalone.conf as spark-submit's
 * properties file. Then the DAG run again: every stage that skips a complete output is skipped, and the first
 * training stage trains 0 steps. The cluster is stopped whatever happens.
 */
class StandaloneClusterIT {
  static final String RUN_ID = "20261202T000000";
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(6);
  static final Path SPARK_DEFAULTS = Path.of(System.getProperty("sparkvlm.repo.root"), "conf", "spark",
      "spark-defaults.standalone.conf");

  static Path dir;
  static SparkHome sparkHome;
  static String master;
  static final List<Process> cluster = new ArrayList<>();
  static final List<Path> workerDirs = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    // under the build's tmp folder (target/tmp), where the logs stay for a look after a failure
    Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    dir = Files.createTempDirectory(tmp, "standalone-cluster");
    sparkHome = SparkHome.assemble(dir.resolve("spark-home"), dir.resolve("javacpp"));
    int port = LocalWorld.freePort();
    master = "spark://127.0.0.1:" + port;
    cluster.add(daemon("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
        String.valueOf(port), "--webui-port", String.valueOf(LocalWorld.freePort())));
    awaitPort(port, dir.resolve("master.log"));
    for (int w = 0; w < 2; w++) {
      Path work = Files.createDirectories(dir.resolve("worker-" + w));
      workerDirs.add(work);
      cluster.add(daemon("worker-" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
          "1", "--memory", "1600m", "--work-dir", work.toString(), "--webui-port",
          String.valueOf(LocalWorld.freePort()), master));
    }
    awaitLine(dir.resolve("master.log"), "Registering worker", 2, Duration.ofSeconds(90));
  }

  @AfterAll
  static void stopCluster() throws IOException {
    for (Process p : cluster) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);   // the workers' executors
      p.destroyForcibly();
    }
    deleteApplicationJars();
  }

  /** Training tasks whose rerun is pretrain_clip_round0's: a complete run trains 0 steps (TrainingRun.start). */
  static final Set<String> TRAINING_RESUMED_LIKE_ROUND_0 = Set.of("pretrain_lm",
      "pretrain_clip_round1", "align", "instruct", "detect_train");

  @Test
  void everyDagTaskRunsOnTheClusterAndARerunSkipsOrResumes() throws Exception {
    Path runRoot = dir.resolve("runs");
    Path run = runRoot.resolve(RUN_ID);
    Path world = run.resolve("synth");
    int webPort = LocalWorld.freePort();
    Path config = dir.resolve("nano-run.conf");
    Files.writeString(config, nanoConfig(webPort));
    Map<String, String> params = Map.of("{{ params.run_root }}", runRoot.toString(), "{{ ts_nodash }}", RUN_ID,
        "{{ params.config }}", config.toString(), "{{ params.input }}",
        world.resolve(SyntheticWorld.URLS_PARQUET).toString(), "{{ params.input_format }}", "parquet",
        "{{ params.clip_preset }}", "nano", "{{ params.lm_preset }}", "lm-tiny");

    // the world the DAG's input points at, generated on the cluster too, and its web served here on 127.0.0.1
    Submitted synth = submit("synth", "io.sparkvlm.synth.SynthJob", "--config", config.toString(), "--conf",
        "paths.root=" + run);
    assertThat(synth.code()).as(synth.tail()).isZero();
    JsonNode stages = AirflowDagTest.stageTable();
    try (SimulatedWeb web = SimulatedWeb.start(world)) {
      for (JsonNode stage : stages) {
        Submitted s = submit(stage.get("task_id").asText(), stage.get("java_class").asText(), args(stage, params));
        assertThat(s.code()).as(stage.get("task_id").asText() + " on the cluster: " + s.tail()).isZero();
      }
      DatasetManifest pairs = io.sparkvlm.core.dataset.Datasets.readManifest(run.resolve("pairs").toString(),
          new org.apache.hadoop.conf.Configuration());
      assertThat(pairs.rows().total()).as("every URL of the web split is a row").isEqualTo(webRows(world));
      for (String training : List.of("clip-r0", "lm", "clip-r1", "align", "instruct")) {
        assertThat(run.resolve("checkpoints").resolve(training).resolve(TrainingRun.CHECKPOINTS)).as(training)
            .isDirectoryContaining(p -> p.getFileName().toString().startsWith("step-"));
      }
      JsonNode filter = Json.MAPPER.readTree(run.resolve("filter").resolve(CapFilt.MANIFEST).toFile());
      JsonNode counts = filter.get("counts");
      assertThat(counts.get("images_with_kept_text").asLong() + counts.get("images_without_kept_text").asLong())
          .isEqualTo(counts.get("images").asLong());
      assertThat(run.resolve("bootstrapped").resolve(DatasetManifest.FILE_NAME)).exists();
      JsonNode metrics = Json.MAPPER.readTree(run.resolve("reports/model/metrics.json").toFile());
      assertThat(metrics.fieldNames()).toIterable().anyMatch(k -> k.startsWith("vqa/"));
      // executors ran on both workers
      for (Path work : workerDirs) {
        try (Stream<Path> apps = Files.list(work)) {
          assertThat(apps.filter(a -> a.getFileName().toString().startsWith("app-")).count())
              .as("applications with an executor on " + work.getFileName()).isGreaterThanOrEqualTo(stages.size());
        }
      }

      // the DAG run again, as Airflow's "clear" of a finished run does: nothing is redone. Every stage that skips
      // a complete output, and one training stage: the others resume through the same TrainingRun.start (and its
      // rerun costs 15-25 s here for a decision the training jobs' own tests cover)
      for (JsonNode stage : stages) {
        String id = stage.get("task_id").asText();
        if (TRAINING_RESUMED_LIKE_ROUND_0.contains(id)) {
          continue;
        }
        Submitted again = submit(id + "-rerun", stage.get("java_class").asText(), args(stage, params));
        assertThat(again.code()).as(id + " rerun: " + again.tail()).isZero();
        assertThat(again.log()).as(id + " rerun").containsAnyOf("skipped: the output is complete",
            "the run was already complete");
        if (again.log().contains("skipped: the output is complete")) {
          // decided before the session: no application, so no executor, for a stage that is done
          assertThat(again.log()).as(id + " rerun opens no Spark session").doesNotContain("(default parallelism");
        }
      }
    }
  }

  static String[] args(JsonNode stage, Map<String, String> params) {
    List<String> out = new ArrayList<>();
    for (JsonNode a : stage.get("application_args")) {
      String v = a.asText();
      for (Map.Entry<String, String> p : params.entrySet()) {
        v = v.replace(p.getKey(), p.getValue());
      }
      assertThat(v).as("every template of " + stage.get("task_id").asText() + " has a value").doesNotContain("{{");
      out.add(v);
    }
    return out.toArray(String[]::new);
  }

  /** The DAG's params.config for this run: the nano world, its web on 127.0.0.1 and nano training budgets. */
  static String nanoConfig(int webPort) {
    return String.join("\n",
        "synth { scenes = 300, web { base-url = \"http://127.0.0.1:" + webPort + "\", slow-delay = 1s, "
            + "hang-duration = 6s } }",
        "ingest { rows-per-shard = 120, image.size = 64, download { allow-cidrs = [\"127.0.0.1/32\"], timeout = 3s,"
            + " threads = 32 } }",
        // an eval at the end only (an LM eval costs about as much as 2 steps here) and an averaging round every
        // few steps (a round of a few nano steps is mostly its fixed cost: 80% of the time at one step per round)
        "pretrain.clip { epochs = 2, batch-size-per-worker = 8, averaging-frequency = 4, log-every-steps = 4, "
            + "checkpoint-every-steps = 4, eval.every-steps = 1000 }",
        "pretrain.lm { epochs = 1, batch-size-per-worker = 8, averaging-frequency = 4, log-every-steps = 4, "
            + "checkpoint-every-steps = 4, eval.every-steps = 1000 }",
        "filter { captioner { epochs = 1, batch-size-per-worker = 8, averaging-frequency = 2 }, "
            + "matcher { epochs = 1, batch-size-per-worker = 8, averaging-frequency = 2 }, "
            + "captions { max-tokens = 6, min-tokens = 2 } }",
        "align { epochs = 1, batch-size-per-worker = 8, log-every-steps = 5 }",
        // lm-tiny's 32-token context has no room for LLaVA-1.5's VQA instruction (as in the demo)
        "instruct { epochs = 1, batch-size-per-worker = 8, log-every-steps = 5, vqa.instruction = \"\" }",
        "eval.model.generation { max-new-tokens = 4, vqa-instruction = \"\" }",
        // a few steps: the detector's learning is DetectJobTest's, here it only has to train and resume on the cluster
        "detect.train { epochs = 4, averaging-frequency = 2, log-every-steps = 2, checkpoint-every-steps = 2 }", "");
  }

  static long webRows(Path world) throws IOException {
    try (Stream<String> lines = Files.lines(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      return lines.filter(l -> !l.isBlank()).count();
    }
  }


  /** Runs SparkSubmit (what the spark-submit script runs) against the cluster, in client mode, as Airflow would. */
  static Submitted submit(String name, String mainClass, String... args) throws Exception {
    List<String> cmd = sparkHome.java(List.of("-Xmx1500m", LocalClusterHarness.SHORT_LIVED_JVM),
        "org.apache.spark.deploy.SparkSubmit");
    // the project's example spark-defaults for standalone clusters, with this cluster's master and small executors
    cmd.addAll(List.of("--properties-file", SPARK_DEFAULTS.toString(), "--master", master,
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1",
        "--conf", "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.cachedir=" + sparkHome.javacppCache() + " "
            + LocalClusterHarness.SHORT_LIVED_JVM,
        "--class", mainClass, System.getProperty("sparkvlm.shaded.jar")));
    cmd.addAll(Arrays.asList(args));
    Path log = dir.resolve("submit-" + name + ".log");
    Submitted s = sparkHome.run(cmd, log, Map.of(), STAGE_TIMEOUT);
    deleteApplicationJars();
    return s;
  }

  /**
   * Each executor gets its own copy of the application jar (170 MB) in its worker's folder: 17 submissions would
   * leave about 6 GB. The application has ended, so its copies go; the executors' logs stay.
   */
  static void deleteApplicationJars() throws IOException {
    for (Path work : workerDirs) {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".jar")).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  static Process daemon(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = sparkHome.java(List.of("-Xmx256m", LocalClusterHarness.SHORT_LIVED_JVM), mainClass);
    cmd.addAll(Arrays.asList(args));
    return sparkHome.start(cmd, dir.resolve(name + ".log"), Map.of());
  }

  static void awaitPort(int port, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(250);
      }
    }
    throw new AssertionError("the Spark Master did not listen on " + port + ": " + Files.readString(log));
  }

  static void awaitLine(Path log, String text, int times, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String s = Files.exists(log) ? Files.readString(log) : "";
      if (s.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("'" + text + "' did not appear " + times + " times in " + log + ": "
        + Files.readString(log));
  }
}
