package io.sparkvlm.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkSessionsTest {
  @Test
  void withNothingSetItRunsLocalOnAllCoresBoundToLoopback() {
    SparkConf conf = SparkSessions.sparkConf(new SparkSettings(Optional.empty(), "app", Map.of(), 0), Map.of());
    assertThat(conf.get("spark.master")).isEqualTo("local[*]");
    assertThat(conf.get("spark.app.name")).isEqualTo("app");
    assertThat(conf.get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
    assertThat(conf.get("spark.sql.shuffle.partitions"))
        .isEqualTo(Integer.toString(2 * Runtime.getRuntime().availableProcessors()));
  }

  @Test
  void localCoresAreReadFromTheMaster() {
    assertThat(SparkSessions.localCores("local")).isEqualTo(1);
    assertThat(SparkSessions.localCores("local[3]")).isEqualTo(3);
    assertThat(SparkSessions.localCores("local[2,4]")).isEqualTo(2);
    assertThat(SparkSessions.localCores("local-cluster[2,1,1024]")).isEqualTo(1);
  }

  @Test
  void sparkSubmitSettingsWinOverTheConfig() {
    // spark-submit passes its settings to the driver as spark.* system properties.
    System.setProperty("spark.master", "spark://cluster:7077");
    System.setProperty("spark.executor.memory", "8g");
    try {
      SparkConf conf = SparkSessions.sparkConf(new SparkSettings(Optional.of("local[2]"), "app",
          Map.of("spark.executor.memory", "1g", "spark.sql.shuffle.partitions", "7"), 0), Map.of());
      assertThat(conf.get("spark.master")).isEqualTo("spark://cluster:7077");
      assertThat(conf.get("spark.executor.memory")).isEqualTo("8g");
      assertThat(conf.get("spark.sql.shuffle.partitions")).isEqualTo("7");
      assertThat(conf.contains("spark.driver.bindAddress")).isFalse();
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.executor.memory");
    }
  }

  @Test
  void aClusterKeepsSparksDefaultShufflePartitions() {
    SparkConf conf = SparkSessions.sparkConf(new SparkSettings(Optional.of("spark://cluster:7077"), "app", Map.of(),
        0), Map.of());
    assertThat(conf.contains("spark.sql.shuffle.partitions")).isFalse();
  }

  @Test
  void sparkLocalIpFromTheEnvironmentIsLeftToSpark() {
    SparkConf conf = SparkSessions.sparkConf(new SparkSettings(Optional.of("local[1]"), "app", Map.of(), 0),
        Map.of("SPARK_LOCAL_IP", "10.0.0.5"));
    assertThat(conf.contains("spark.driver.host")).isFalse();
  }
}
