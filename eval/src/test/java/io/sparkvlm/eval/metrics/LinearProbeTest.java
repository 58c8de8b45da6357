package io.sparkvlm.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.testing.SparkTestSessions;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class LinearProbeTest {
  /** Gaussian blobs around class centres in 16 dimensions; {@code shuffled} breaks the label-feature link. */
  static double[][] blobs(int n, int[] labels, long seed, boolean shuffled) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[n][16];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 4;
      int centre = shuffled ? r.nextInt(4) : labels[i];
      for (int d = 0; d < 16; d++) {
        x[i][d] = (d % 4 == centre ? 2.0 : 0.0) + r.nextDouble(-1, 1);
      }
    }
    return x;
  }

  @Test
  void learnsSeparableEmbeddingsAndNotRandomOnes() {
    SparkSession spark = SparkTestSessions.local();
    int[] trainLabels = new int[400];
    int[] testLabels = new int[200];
    var train = LinearProbe.frame(spark, blobs(400, trainLabels, 1, false), trainLabels);
    var test = LinearProbe.frame(spark, blobs(200, testLabels, 2, false), testLabels);
    Map<String, Double> good = LinearProbe.evaluate(train, test, 4, 1e-3);
    assertThat(good.get("acc1")).isGreaterThan(0.9);
    assertThat(good.get("mean_per_class_recall")).isGreaterThan(0.9);
    int[] noiseLabels = new int[400];
    var noise = LinearProbe.frame(spark, blobs(400, noiseLabels, 3, true), noiseLabels);
    Map<String, Double> chance = LinearProbe.evaluate(noise, test, 4, 1e-3);
    assertThat(chance.get("acc1")).isLessThan(0.45); // 4 classes: chance is 0.25
  }
}
