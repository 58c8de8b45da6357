package io.sparkvlm.core.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way spark-vlm opens a Spark session. Whatever spark-submit (or {@code spark.*} system properties) set
 * wins; the config's {@code spark.conf} fills in only what is missing; with no master from anywhere the session
 * runs in {@code local[*]}. A local session binds the driver to 127.0.0.1 unless SPARK_LOCAL_IP says otherwise,
 * so a laptop on a flaky network (or a sandbox without one) still works.
 */
public final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private SparkSessions() {}

  public static SparkSession open(SparkSettings settings) {
    SparkConf conf = sparkConf(settings, System.getenv());
    SparkSession session = SparkSession.builder().config(conf).getOrCreate();
    if (settings.progressInterval() > 0) {
      StageProgressLogger.attach(session.sparkContext(), settings.progressInterval());
    }
    LOG.info("Spark {} session '{}' on {} (default parallelism {})", session.version(),
        session.sparkContext().appName(), session.sparkContext().master(),
        session.sparkContext().defaultParallelism());
    return session;
  }

  /**
   * The Hadoop configuration the session {@code settings} open would have ({@code SparkContext.hadoopConfiguration}:
   * Spark's own {@code spark.hadoop.*} and S3 credential handling), without opening it: for what a stage decides
   * before it asks for executors.
   */
  public static org.apache.hadoop.conf.Configuration hadoopConfiguration(SparkSettings settings) {
    return org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(sparkConf(settings, System.getenv()));
  }

  /** Cores of a local master: local = 1, local[N] = N, local[*] = this machine's, local[N,F] = N. */
  static int localCores(String master) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?\\])?")
        .matcher(master);
    if (!m.matches() || m.group(1) == null) {
      return 1;
    }
    return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
  }

  /** The effective SparkConf; visible for tests. */
  static SparkConf sparkConf(SparkSettings settings, Map<String, String> env) {
    SparkConf conf = new SparkConf(true); // loads spark.* system properties, i.e. what spark-submit set
    if (!conf.contains("spark.master")) {
      conf.setMaster(settings.master().orElse("local[*]"));
    }
    if (!conf.contains("spark.app.name")) {
      conf.setAppName(settings.appName());
    }
    for (Map.Entry<String, String> e : settings.conf().entrySet()) {
      conf.setIfMissing(e.getKey(), e.getValue());
    }
    String master = conf.get("spark.master");
    boolean local = master.startsWith("local");
    if (local) {
      // Spark's default of 200 shuffle partitions makes every shuffle of a small local job cost seconds of task
      // overhead; a cluster keeps Spark's default (or what spark-submit set).
      conf.setIfMissing("spark.sql.shuffle.partitions", Integer.toString(2 * localCores(master)));
    }
    if (local && env.get("SPARK_LOCAL_IP") == null) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    return conf;
  }
}
