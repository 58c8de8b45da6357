package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.testing.LocalClusterHarness;
import io.sparkvlm.synth.SimulatedWeb;
import io.sparkvlm.synth.SyntheticWorld;
import io.sparkvlm.cli.SparkHome.Submitted;
import io.sparkvlm.training.TrainingRun;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The nano pipeline's first stages on YARN: a ResourceManager and a NodeManager (Hadoop's MiniYARNCluster, in this
 * JVM), and spark-submit ({@code org.apache.spark.deploy.SparkSubmit} from the project's SPARK_HOME, with
 * conf/spark/spark-defaults.yarn.conf as its properties file) in both deploy modes: synth and pretrain clip in
 * cluster mode (the driver in the ApplicationMaster's container), ingest in client mode (executors in containers
 * downloading from the simulated web on 127.0.0.1). Then what a bad configuration (the jobs' exit code 2) becomes
 * in each mode, which docs/airflow.md states.
 */
class YarnClusterIT {
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(5);
  static final Path SPARK_DEFAULTS = Path.of(System.getProperty("sparkvlm.repo.root"), "conf", "spark",
      "spark-defaults.yarn.conf");

  static Path dir;
  static Path hadoopConf;
  static SparkHome sparkHome;
  static MiniYARNCluster yarn;

  @BeforeAll
  static void startYarn() throws Exception {
    Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    dir = Files.createTempDirectory(tmp, "yarn-cluster");
    sparkHome = SparkHome.assemble(dir.resolve("spark-home"), dir.resolve("javacpp"));
    YarnConfiguration conf = new YarnConfiguration();
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, 6144);   // the driver's and two executors' containers
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100f);
    // the capacity scheduler's one queue (a cluster's capacity-scheduler.xml says it)
    conf.set("yarn.scheduler.capacity.root.queues", "default");
    conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
    conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "0.5");
    conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
    conf.set(YarnConfiguration.NM_ADDRESS, "127.0.0.1:0");
    yarn = new MiniYARNCluster("spark-vlm", 1, 1, 1);
    yarn.init(conf);
    yarn.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
      assertThat(System.nanoTime()).as("the ResourceManager has an address").isLessThan(deadline);
      Thread.sleep(100);
    }
    // spark-submit finds the cluster the way it does on a gateway machine: HADOOP_CONF_DIR/yarn-site.xml
    hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
    try (OutputStream out = Files.newOutputStream(hadoopConf.resolve("yarn-site.xml"))) {
      yarn.getConfig().writeXml(out);
    }
  }

  @AfterAll
  static void stopYarn() {
    if (yarn != null) {
      yarn.stop();
    }
  }

  @Test
  void synthIngestAndPretrainRunOnYarnAndABadConfigFailsInEitherMode() throws Exception {
    Path run = dir.resolve("run");
    Path world = run.resolve("synth");
    Path config = dir.resolve("nano-run.conf");
    Files.writeString(config, StandaloneClusterIT.nanoConfig(LocalWorld.freePort()));
    String[] job = {"--config", config.toString(), "--conf", "paths.root=" + run};

    // half the standalone test's world and one epoch: the stages' results are checked there, here that they run
    Submitted synth = submit("synth", "cluster", "io.sparkvlm.synth.SynthJob", concat(job, "--conf",
        "synth.scenes=150"));
    assertThat(synth.code()).as(synth.tail()).isZero();
    try (SimulatedWeb web = SimulatedWeb.start(world)) {
      Submitted ingest = submit("ingest", "client", "io.sparkvlm.ingest.IngestJob", concat(job, "--conf",
          "ingest.input.path=" + world.resolve(SyntheticWorld.URLS_PARQUET), "--conf", "ingest.input.format=parquet"));
      assertThat(ingest.code()).as(ingest.tail()).isZero();
    }
    DatasetManifest pairs = io.sparkvlm.core.dataset.Datasets.readManifest(run.resolve("pairs").toString(),
        new org.apache.hadoop.conf.Configuration());
    assertThat(pairs.rows().total()).as("every URL of the web split is a row")
        .isEqualTo(StandaloneClusterIT.webRows(world));

    Path clip = run.resolve("checkpoints").resolve("clip");
    Submitted pretrain = submit("pretrain-clip", "cluster", "io.sparkvlm.pretrain.PretrainClipJob", concat(job,
        "--conf", "pretrain.clip.model=nano", "--conf", "pretrain.clip.epochs=1", "--conf",
        "pretrain.clip.output=" + clip));
    assertThat(pretrain.code()).as(pretrain.tail()).isZero();
    assertThat(pretrain.log()).as("the application ended as YARN reports it").contains("final status: SUCCEEDED");
    assertThat(clip.resolve(TrainingRun.CHECKPOINTS)).isDirectoryContaining(
        p -> p.getFileName().toString().startsWith("step-"));

    // a key no job knows: 2 in client mode, where spark-submit runs the driver; in cluster mode spark-submit only
    // sees the application's final status
    String[] bad = concat(job, "--conf", "pretrain.clip.no-such-key=1");
    Submitted client = submit("bad-config-client", "client", "io.sparkvlm.pretrain.PretrainClipJob", bad);
    assertThat(client.code()).as(client.tail()).isEqualTo(2);
    assertThat(client.log()).contains("pretrain.clip.no-such-key");
    Submitted cluster = submit("bad-config-cluster", "cluster", "io.sparkvlm.pretrain.PretrainClipJob", bad);
    assertThat(cluster.code()).as(cluster.tail()).isEqualTo(1);
    assertThat(cluster.log()).contains("final status: FAILED");
    assertThat(cluster.log()).as("the job's code in YARN's diagnostics")
        .contains("User application exited with status 2");
  }

  static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** spark-submit to YARN in {@code deployMode}, with two one-core executors in containers. */
  static Submitted submit(String name, String deployMode, String mainClass, String... args) throws Exception {
    List<String> cmd = sparkHome.java(List.of("-Xmx1g", LocalClusterHarness.SHORT_LIVED_JVM), List.of(hadoopConf),
        "org.apache.spark.deploy.SparkSubmit");
    String javaHome = System.getProperty("java.home");
    String javacpp = "-Dorg.bytedeco.javacpp.cachedir=" + sparkHome.javacppCache() + " "
        + LocalClusterHarness.SHORT_LIVED_JVM;
    cmd.addAll(List.of("--properties-file", SPARK_DEFAULTS.toString(), "--master", "yarn",
        "--deploy-mode", deployMode,
        // the Spark jars are on the node already (spark.yarn.jars local:), so nothing is zipped and uploaded
        "--conf", "spark.yarn.jars=local:" + sparkHome.jars() + "/*",
        "--conf", "spark.yarn.stagingDir=" + dir.resolve("staging").toUri(),
        "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome, "--conf", "spark.executorEnv.JAVA_HOME=" + javaHome,
        "--conf", "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
        "--conf", "spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.yarn.report.interval=500ms",
        "--conf", "spark.driver.memory=1g", "--conf", "spark.driver.memoryOverhead=512m",
        "--conf", "spark.yarn.am.memory=512m",
        "--conf", "spark.yarn.am.extraJavaOptions=" + LocalClusterHarness.SHORT_LIVED_JVM,
        "--conf", "spark.executor.instances=2", "--conf", "spark.executor.cores=1",
        "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.memoryOverhead=512m",
        "--conf", "spark.driver.extraJavaOptions=" + javacpp, "--conf", "spark.executor.extraJavaOptions=" + javacpp,
        "--class", mainClass, System.getProperty("sparkvlm.shaded.jar")));
    cmd.addAll(Arrays.asList(args));
    Path log = dir.resolve("submit-" + name + ".log");
    return sparkHome.run(cmd, log, Map.of("HADOOP_CONF_DIR", hadoopConf.toString()), STAGE_TIMEOUT);
  }
}
