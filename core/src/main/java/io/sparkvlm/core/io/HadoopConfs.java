package io.sparkvlm.core.io;

import java.util.Properties;
import org.apache.hadoop.conf.Configuration;

/** Hadoop configurations for work done before (or without) a Spark session. */
public final class HadoopConfs {
  private HadoopConfs() {}

  /**
   * Hadoop's defaults ({@code core-site.xml} etc. on the class path) plus every {@code spark.hadoop.*} system
   * property with the prefix removed: the same settings a Spark session would give its Hadoop configuration, so
   * that config files on {@code s3a://} are readable with the credentials passed to spark-submit.
   */
  public static Configuration fromSystemProperties() {
    Configuration conf = new Configuration();
    Properties props = System.getProperties();
    for (String name : props.stringPropertyNames()) {
      if (name.startsWith("spark.hadoop.")) {
        conf.set(name.substring("spark.hadoop.".length()), props.getProperty(name));
      }
    }
    return conf;
  }
}
