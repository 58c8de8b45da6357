package io.sparkvlm.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.testing.PidRowsJob;
import io.sparkvlm.core.testing.SparkTestSessions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage main-class path end to end: arguments, config, session, run, manifest, exit codes. */
class JobLauncherTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private int main(String... args) {
    SparkTestSessions.stop(); // the launcher opens (and stops) its own session, as under spark-submit
    return JobLauncher.main(new PidRowsJob(), args, err);
  }

  /** A stage whose run fails as {@code failure}, as a job whose first ND4J use finds no backend does. */
  private static StageJob<String> failingWith(Error failure) {
    return new StageJob<>() {
      @Override
      public String name() {
        return "nd4j-user";
      }

      @Override
      public String readConfig(io.sparkvlm.core.config.ConfigReader config) {
        return "";
      }

      @Override
      public StageResult run(org.apache.spark.sql.SparkSession spark, String config) {
        throw failure;
      }
    };
  }

  @Test
  void aMissingNd4jBackendIsSaidPlainlyAndOtherLinkageErrorsPropagate() {
    SparkTestSessions.stop();
    Error noBackend = new ExceptionInInitializerError(new RuntimeException(
        new org.nd4j.linalg.factory.Nd4jBackend.NoAvailableBackendException("Please ensure that you have an nd4j "
            + "backend on your classpath.")));
    assertThat(JobLauncher.main(failingWith(noBackend), new String[] {"--conf", "spark.master=local[1]"}, err))
        .isEqualTo(JobLauncher.FAILED);
    assertThat(err()).contains("nd4j-user failed: ND4J could not load its CPU backend")
        .contains("Skipped [CpuBackend]").doesNotContain("Please ensure");
    NoClassDefFoundError other = new NoClassDefFoundError("org/example/Missing");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobLauncher.main(failingWith(other),
        new String[] {"--conf", "spark.master=local[1]"}, err)).isSameAs(other);
  }

  @Test
  void runsTheJobAndWritesTheManifestLast() {
    String out = dir.resolve("out").toString();
    int code = main("--conf", "spark.master=local[2]", "--conf", "test-job.output=" + out,
        "--conf", "test-job.rows=25");
    assertThat(code).as(err()).isEqualTo(JobLauncher.OK);
    DatasetManifest m = Datasets.readManifest(out, new Configuration());
    assertThat(m.stage()).isEqualTo("pid-rows");
    assertThat(m.rows().total()).isEqualTo(25);
    assertThat(m.rows().byStatus()).containsEntry("success", 20L).containsEntry("failed", 5L);
    assertThat(m.config().at("/test-job/rows").asInt()).isEqualTo(25);
    assertThat(m.config().at("/spark/master").asText()).isEqualTo("local[2]");
  }

  @Test
  void refusesToOverwriteUnlessAsked() {
    String out = dir.resolve("out").toString();
    String[] args = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out};
    assertThat(main(args)).isEqualTo(JobLauncher.OK);
    assertThat(main(args)).isEqualTo(JobLauncher.FAILED);
    assertThat(err()).contains("already exists; pass --overwrite");
    String[] again = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out, "--overwrite",
        "--conf", "test-job.rows=7"};
    assertThat(main(again)).isEqualTo(JobLauncher.OK);
    assertThat(Datasets.readManifest(out, new Configuration()).rows().total()).isEqualTo(7);
  }

  @Test
  void skipCompleteSkipsAStageWhoseOutputIsCompleteAndRunsOneThatIsNot() throws Exception {
    String out = dir.resolve("out").toString();
    String[] first = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out,
        "--conf", "test-job.rows=9"};
    assertThat(main(first)).isEqualTo(JobLauncher.OK);
    java.nio.file.Path manifest = dir.resolve("out").resolve(DatasetManifest.FILE_NAME);
    long written = java.nio.file.Files.getLastModifiedTime(manifest).toMillis();
    // the values of the stage's section it was made with are recorded beside the manifest
    java.nio.file.Path record = dir.resolve("out").resolve(JobLauncher.STAGE_CONFIG);
    assertThat(java.nio.file.Files.readString(record)).contains("\"rows\" : \"9\"");
    // a rerun with the same settings (a retry): skipped, the complete output untouched
    String[] rerun = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out,
        "--conf", "test-job.rows=9", "--conf", OutputSettings.SKIP_COMPLETE + "=true"};
    assertThat(main(rerun)).as(err()).isEqualTo(JobLauncher.OK);
    assertThat(Datasets.readManifest(out, new Configuration()).rows().total()).isEqualTo(9);
    assertThat(java.nio.file.Files.getLastModifiedTime(manifest).toMillis()).isEqualTo(written);
    // a rerun with other settings: the complete output is not what they would make; an error naming the key
    String[] changed = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out,
        "--conf", "test-job.rows=4", "--conf", OutputSettings.SKIP_COMPLETE + "=true"};
    assertThat(main(changed)).isEqualTo(JobLauncher.FAILED);
    assertThat(err()).contains("was made with other settings").contains("test-job.rows was 9, now 4")
        .contains(OutputSettings.OVERWRITE);
    assertThat(Datasets.readManifest(out, new Configuration()).rows().total()).isEqualTo(9);
    // an output made before the settings were recorded: skipped, with a warning in the log
    java.nio.file.Files.delete(record);
    assertThat(main(changed)).as(err()).isEqualTo(JobLauncher.OK);
    assertThat(java.nio.file.Files.getLastModifiedTime(manifest).toMillis()).isEqualTo(written);
    // rows without a manifest (a run that died before committing) are not complete: the stage runs (and this
    // test stage, which replaces nothing unasked, refuses the rows it finds)
    java.nio.file.Files.delete(manifest);
    assertThat(main(rerun)).isEqualTo(JobLauncher.FAILED);
    assertThat(err()).contains("already exists; pass --overwrite");
    // both output settings at once contradict: a usage error before Spark starts
    String[] both = {"--conf", "test-job.output=" + out, "--conf", OutputSettings.SKIP_COMPLETE + "=true",
        "--overwrite"};
    assertThat(main(both)).isEqualTo(JobLauncher.USAGE);
    assertThat(err()).contains("output.overwrite and output.skip-complete are both true");
  }

  @Test
  void aCompleteStageIsSkippedWithoutOpeningASession() throws Exception {
    String out = dir.resolve("out").toString();
    String[] first = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out,
        "--conf", "test-job.rows=6"};
    java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.Function<io.sparkvlm.core.spark.SparkSettings, org.apache.spark.sql.SparkSession> counted =
        settings -> {
          opened.incrementAndGet();
          return io.sparkvlm.core.spark.SparkSessions.open(settings);
        };
    SparkTestSessions.stop();
    assertThat(JobLauncher.main(new PidRowsJob(), first, err, counted)).as(err()).isEqualTo(JobLauncher.OK);
    assertThat(opened).hasValue(1);
    String[] rerun = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out,
        "--conf", "test-job.rows=6", "--conf", OutputSettings.SKIP_COMPLETE + "=true"};
    assertThat(JobLauncher.main(new PidRowsJob(), rerun, err, counted)).as(err()).isEqualTo(JobLauncher.OK);
    assertThat(opened).as("a complete stage opens no session").hasValue(1);
    // settings that differ from the recorded ones: refused, still before any session
    String[] changed = {"--conf", "spark.master=local[1]", "--conf", "test-job.output=" + out,
        "--conf", "test-job.rows=5", "--conf", OutputSettings.SKIP_COMPLETE + "=true"};
    assertThat(JobLauncher.main(new PidRowsJob(), changed, err, counted)).isEqualTo(JobLauncher.FAILED);
    assertThat(err()).contains("test-job.rows was 6, now 5");
    assertThat(opened).hasValue(1);
    // an incomplete output: the session opens and the stage runs (here it refuses the rows it finds)
    java.nio.file.Files.delete(dir.resolve("out").resolve(DatasetManifest.FILE_NAME));
    assertThat(JobLauncher.main(new PidRowsJob(), rerun, err, counted)).isEqualTo(JobLauncher.FAILED);
    assertThat(opened).hasValue(2);
    assertThat(err()).contains("already exists; pass --overwrite");
  }

  @Test
  void configErrorsExitTwoNamingTheKeyBeforeSparkStarts() {
    assertThat(main("--conf", "test-job.rowz=3")).isEqualTo(JobLauncher.USAGE);
    assertThat(err()).contains("configuration error").contains("'test-job.rowz'").contains("did you mean");
    assertThat(main("--conf", "test-job.output=x", "--conf", "test-job.rows=-1")).isEqualTo(JobLauncher.USAGE);
    assertThat(err()).contains("'test-job.rows' = -1 is out of range");
    assertThat(main()).isEqualTo(JobLauncher.USAGE);
    assertThat(err()).contains("'test-job.output' must be set");
  }

  @Test
  void badArgumentsExitTwoWithUsage() {
    assertThat(main("--frobnicate")).isEqualTo(JobLauncher.USAGE);
    assertThat(err()).contains("Unknown argument '--frobnicate'").contains("--config FILE");
  }

  /** In a YARN cluster-mode driver (the properties its ApplicationMaster sets), no System.exit (YarnClusterIT). */
  @Test
  void inAYarnClusterModeDriverExitReturnsOnZeroAndThrowsTheCodeOtherwise() throws Exception {
    System.setProperty(JobLauncher.DEPLOY_MODE_PROPERTY, "cluster");
    System.setProperty(JobLauncher.YARN_APP_ID_PROPERTY, "application_1_0001");
    try {
      JobLauncher.exit(JobLauncher.OK);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobLauncher.exit(JobLauncher.USAGE))
          .isInstanceOfSatisfying(org.apache.spark.SparkUserAppException.class,
              e -> assertThat(e.exitCode()).isEqualTo(JobLauncher.USAGE));
    } finally {
      System.clearProperty(JobLauncher.DEPLOY_MODE_PROPERTY);
      System.clearProperty(JobLauncher.YARN_APP_ID_PROPERTY);
    }
  }
}
