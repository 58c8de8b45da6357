package io.sparkvlm.core.job;

import com.typesafe.config.Config;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.config.EffectiveConfig;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.Datasets.WrittenDataset;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.runtime.Nd4jBackends;
import io.sparkvlm.core.spark.SparkSessions;
import io.sparkvlm.core.spark.SparkSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every stage's {@code main} does and nothing more: parse arguments, load and validate the config, open the
 * Spark session, call {@code run(spark, config)}, write the manifests of what it wrote.
 *
 * <p>Exit codes, for spark-submit and Airflow: {@value #OK} success; {@value #FAILED} the job failed;
 * {@value #USAGE} bad arguments or configuration.
 */
public final class JobLauncher {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  /** Beside a stage's first completion marker: the values of its config sections it was made with. */
  public static final String STAGE_CONFIG = "_stage_config.json";
  /** Differing keys named in the error of a changed config, at most. */
  private static final int DIFFERENCES_SHOWN = 6;

  private static final Logger LOG = LoggerFactory.getLogger(JobLauncher.class);

  /**
   * System properties a YARN ApplicationMaster sets before it calls the driver's {@code main} in cluster mode
   * (Spark's ApplicationMaster: the deploy mode, and the application's id).
   */
  static final String DEPLOY_MODE_PROPERTY = "spark.submit.deployMode";
  static final String YARN_APP_ID_PROPERTY = "spark.yarn.app.id";

  private JobLauncher() {}

  /**
   * Ends a {@code main} with {@code code}. {@code System.exit} everywhere but in a YARN cluster-mode driver, whose
   * ApplicationMaster reports any {@code System.exit} as FAILED ("Shutdown hook called before final status was
   * reported", exit code 16, the job's own code lost): there a 0 returns, and any other code is thrown as Spark's
   * {@code SparkUserAppException}, which the ApplicationMaster reports as FAILED with that exit code.
   */
  public static void exit(int code) throws org.apache.spark.SparkException {
    if (!inYarnClusterDriver()) {
      System.exit(code);
    } else if (code != OK) {
      throw new org.apache.spark.SparkUserAppException(code);
    }
  }

  /** Whether this JVM is a YARN cluster-mode driver, run by an ApplicationMaster (the properties it sets). */
  private static boolean inYarnClusterDriver() {
    return "cluster".equals(System.getProperty(DEPLOY_MODE_PROPERTY))
        && System.getProperty(YARN_APP_ID_PROPERTY) != null;
  }

  /** Runs {@code job} with command-line {@code args}; returns the exit code. */
  public static int main(StageJob<?> job, String[] args, PrintStream err) {
    return main(job, args, err, SparkSessions::open);
  }

  /** {@link #main(StageJob, String[], PrintStream)} with sessions from {@code sessions}: tests count them. */
  static int main(StageJob<?> job, String[] args, PrintStream err, Function<SparkSettings, SparkSession> sessions) {
    io.sparkvlm.core.model.SameDiffStdout.quiet();
    JobArgs parsed;
    try {
      parsed = JobArgs.parse(args);
    } catch (JobArgs.UsageError e) {
      err.println(job.name() + ": " + e.getMessage());
      err.println(JobArgs.USAGE);
      return USAGE;
    }
    if (parsed.help()) {
      err.println("Runs the " + job.name() + " stage.");
      err.println(JobArgs.USAGE);
      return OK;
    }
    return launch(job, parsed.sources(), err, sessions);
  }

  /** Loads the config from {@code sources}, opens a session, runs and commits; returns the exit code. */
  public static int launch(StageJob<?> job, ConfigSources sources, PrintStream err) {
    return launch(job, sources, err, SparkSessions::open);
  }

  private static int launch(StageJob<?> job, ConfigSources sources, PrintStream err,
      Function<SparkSettings, SparkSession> sessions) {
    Config config;
    SparkSettings sparkSettings;
    try {
      config = ConfigLoader.load(sources);
      sparkSettings = SparkSettings.from(new ConfigReader(config));
    } catch (ConfigError e) {
      err.println(job.name() + ": configuration error: " + e.getMessage());
      return USAGE;
    }
    return launch(job, config, sparkSettings, err, sessions);
  }

  private static <C> int launch(StageJob<C> job, Config config, SparkSettings sparkSettings, PrintStream err,
      Function<SparkSettings, SparkSession> sessions) {
    C typed;
    OutputSettings output;
    try {
      output = OutputSettings.from(new ConfigReader(config));
      typed = job.readConfig(new ConfigReader(config));
    } catch (ConfigError e) {
      err.println(job.name() + ": configuration error: " + e.getMessage());
      return USAGE;
    }
    // A complete stage is skipped before its session opens, so a rerun asks no cluster manager for executors. Not
    // in a YARN cluster-mode driver: its ApplicationMaster fails an application whose driver never made a context.
    if (output.skipComplete() && !inYarnClusterDriver()) {
      try {
        if (skipIfComplete(job, SparkSessions.hadoopConfiguration(sparkSettings), config, typed).isPresent()) {
          return OK;
        }
      } catch (ConfigError e) {
        err.println(job.name() + ": " + e.getMessage());
        return FAILED;
      } catch (IOException | RuntimeException e) {
        LOG.error("{} failed deciding whether its output is complete", job.name(), e);
        err.println(job.name() + " failed: " + e);
        return FAILED;
      }
      return inSession(job, sessions.apply(sparkSettings), err, spark -> runAndCommit(job, spark, config, typed));
    }
    return inSession(job, sessions.apply(sparkSettings), err, spark -> execute(job, spark, config, typed));
  }

  /** What a stage does with its session. */
  private interface SessionWork {
    void run(SparkSession spark) throws Exception;
  }

  /** {@code work} on {@code spark}, which is stopped after it; the exit code. */
  private static int inSession(StageJob<?> job, SparkSession spark, PrintStream err, SessionWork work) {
    try {
      work.run(spark);
      return OK;
    } catch (DatasetError | CheckpointError | ConfigError e) {
      err.println(job.name() + ": " + e.getMessage());
      return FAILED;
    } catch (Exception | LinkageError e) {
      Optional<String> backend = Nd4jBackends.explain(e);
      if (backend.isEmpty() && e instanceof LinkageError linkage) {
        throw linkage;
      }
      LOG.error("{} failed", job.name(), e);
      err.println(job.name() + " failed: " + backend.orElse(e.toString()));
      return FAILED;
    } finally {
      spark.stop();
    }
  }

  /**
   * Runs a stage on an open session and writes the manifest of each dataset it wrote. This is the whole job minus
   * session handling: tests and the demo call it directly.
   */
  public static <C> StageResult execute(StageJob<C> job, SparkSession spark, Config effectiveConfig, C config)
      throws Exception {
    if (OutputSettings.from(new ConfigReader(effectiveConfig)).skipComplete()) {
      Optional<StageResult> skipped = skipIfComplete(job, spark.sparkContext().hadoopConfiguration(),
          effectiveConfig, config);
      if (skipped.isPresent()) {
        return skipped.get();
      }
    }
    return runAndCommit(job, spark, effectiveConfig, config);
  }

  /** Runs a stage and writes the manifest of each dataset it wrote, whatever its output holds. */
  private static <C> StageResult runAndCommit(StageJob<C> job, SparkSession spark, Config effectiveConfig, C config)
      throws Exception {
    Instant started = Instant.now();
    LOG.info("{}: starting", job.name());
    StageResult result = job.run(spark, config);
    Datasets.Provenance provenance =
        new Datasets.Provenance(job.name(), EffectiveConfig.toJson(effectiveConfig), started);
    for (WrittenDataset written : result.datasets()) {
      DatasetManifest manifest = Datasets.commit(spark, written, provenance);
      LOG.info("{}: wrote {} ({} rows {}) to {}", job.name(), written.schema().id(), manifest.rows().total(),
          manifest.rows().byStatus(), written.location());
    }
    recordConfig(job, spark, effectiveConfig, config);
    LOG.info("{}: done in {}s: {}", job.name(),
        String.format("%.1f", (Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0), result.summary());
    return result;
  }

  /** A result saying the stage was skipped when every one of its completion markers exists; empty otherwise. */
  private static <C> Optional<StageResult> skipIfComplete(StageJob<C> job,
      org.apache.hadoop.conf.Configuration conf, Config effectiveConfig, C config) throws IOException {
    List<String> markers = job.completionMarkers(config);
    if (markers.isEmpty()) {
      LOG.info("{}: {} is set but this stage has no completion marker: running it (a training stage resumes)",
          job.name(), OutputSettings.SKIP_COMPLETE);
      return Optional.empty();
    }
    List<String> missing = HadoopFiles.missing(markers, conf);
    if (!missing.isEmpty()) {
      LOG.info("{}: not complete ({} missing): running it", job.name(), String.join(", ", missing));
      return Optional.empty();
    }
    checkRecordedConfig(job, conf, effectiveConfig, markers);
    String summary = "skipped: the output is complete (" + String.join(", ", markers) + "); "
        + OutputSettings.SKIP_COMPLETE + " is true";
    LOG.info("{}: {}", job.name(), summary);
    return Optional.of(new StageResult(List.of(), summary));
  }

  /** {"stage": name, "sections": {section: its resolved values}}, for the job's {@link StageJob#configSections}. */
  static com.fasterxml.jackson.databind.node.ObjectNode configRecord(StageJob<?> job, Config effectiveConfig) {
    com.fasterxml.jackson.databind.node.ObjectNode record = io.sparkvlm.core.io.Json.MAPPER.createObjectNode();
    record.put("stage", job.name());
    com.fasterxml.jackson.databind.node.ObjectNode sections = record.putObject("sections");
    for (String section : job.configSections()) {
      sections.set(section, effectiveConfig.hasPath(section)
          ? EffectiveConfig.toJson(effectiveConfig.getConfig(section))
          : com.fasterxml.jackson.databind.node.NullNode.getInstance());
    }
    return record;
  }

  private static <C> void recordConfig(StageJob<C> job, SparkSession spark, Config effectiveConfig, C config)
      throws IOException {
    List<String> markers = job.completionMarkers(config);
    if (markers.isEmpty() || job.configSections().isEmpty()) {
      return;
    }
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(
        new org.apache.hadoop.fs.Path(markers.get(0)).getParent(), STAGE_CONFIG);
    HadoopFiles.writeAtomically(file, io.sparkvlm.core.io.Json.MAPPER.writeValueAsBytes(
        configRecord(job, effectiveConfig)), spark.sparkContext().hadoopConfiguration());
  }

  /**
   * A complete output made with other values of the stage's sections is an error naming the keys that differ; one
   * without a record (made before spark-vlm recorded them) is skipped with a warning.
   */
  private static <C> void checkRecordedConfig(StageJob<C> job, org.apache.hadoop.conf.Configuration conf,
      Config effectiveConfig, List<String> markers) throws IOException {
    if (job.configSections().isEmpty()) {
      return;
    }
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(
        new org.apache.hadoop.fs.Path(markers.get(0)).getParent(), STAGE_CONFIG);
    if (!HadoopFiles.missing(List.of(file.toString()), conf).isEmpty()) {
      LOG.warn("{}: {} has no {}: the config it was made with is not known, so it is not compared", job.name(),
          file.getParent(), STAGE_CONFIG);
      return;
    }
    com.fasterxml.jackson.databind.JsonNode recorded = io.sparkvlm.core.io.Json.MAPPER.readTree(
        HadoopFiles.readAll(file, conf)).path("sections");
    com.fasterxml.jackson.databind.JsonNode now = configRecord(job, effectiveConfig).path("sections");
    java.util.Map<String, String> was = new java.util.TreeMap<>();
    java.util.Map<String, String> is = new java.util.TreeMap<>();
    flatten("", recorded, was);
    flatten("", now, is);
    java.util.Set<String> keys = new java.util.TreeSet<>(was.keySet());
    keys.addAll(is.keySet());
    List<String> differ = keys.stream()
        .filter(k -> !io.sparkvlm.core.config.SettingValues.same(was.get(k), is.get(k))).toList();
    if (!differ.isEmpty()) {
      StringBuilder m = new StringBuilder(job.name()).append(": the output is complete but was made with other "
          + "settings, so ").append(OutputSettings.SKIP_COMPLETE).append(" cannot keep it: ");
      for (String k : differ.subList(0, Math.min(DIFFERENCES_SHOWN, differ.size()))) {
        m.append(k).append(" was ").append(was.getOrDefault(k, "unset")).append(", now ")
            .append(is.getOrDefault(k, "unset")).append("; ");
      }
      if (differ.size() > DIFFERENCES_SHOWN) {
        m.append("and ").append(differ.size() - DIFFERENCES_SHOWN).append(" more; ");
      }
      m.append("set ").append(OutputSettings.OVERWRITE).append(" = true to make it again with these settings, or "
          + "give the stage another output (recorded in ").append(file).append(")");
      throw new ConfigError(OutputSettings.SKIP_COMPLETE, m.toString());
    }
  }

  /**
   * Dotted keys of every leaf under {@code node} (list elements by index), with their text: HOCON gives a value set
   * on the command line as a string and the same value in a file as a number, and 9 and "9" are the same setting.
   */
  private static void flatten(String prefix, com.fasterxml.jackson.databind.JsonNode node,
      java.util.Map<String, String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          e.getValue(), out));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + "[" + i + "]", node.get(i), out);
      }
      if (node.isEmpty()) {
        out.put(prefix, "[]");
      }
    } else {
      out.put(prefix, node.isNull() ? "null" : node.asText());
    }
  }
}
