package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar (target/spark-vlm.jar) as a cluster gets it: every stage's main class inside, Spark and Hadoop
 * left out (provided), the modules' reference.conf files merged, and spark-submit able to run it.
 */
class ShadedJarIT {
  static final List<String> STAGE_MAIN_CLASSES = List.of(
      "io.sparkvlm.ingest.IngestJob",
      "io.sparkvlm.filter.FilterJob",
      "io.sparkvlm.pretrain.PretrainClipJob",
      "io.sparkvlm.pretrain.PretrainLmJob",
      "io.sparkvlm.instruct.AlignJob",
      "io.sparkvlm.instruct.InstructJob",
      "io.sparkvlm.eval.EvalJob",
      "io.sparkvlm.cli.Vlm");

  final Path jar = Path.of(System.getProperty("sparkvlm.shaded.jar"));

  @Test
  void containsEveryStageMainClassAndNotSpark() throws Exception {
    try (JarFile jf = new JarFile(jar.toFile())) {
      for (String cls : STAGE_MAIN_CLASSES) {
        assertThat(jf.getEntry(cls.replace('.', '/') + ".class")).as(cls).isNotNull();
      }
      assertThat(jf.stream().map(e -> e.getName()))
          // (dl4j-spark's own org/apache/spark/TaskContextHelper is the one class in Spark's package it ships)
          .noneMatch(n -> n.startsWith("org/apache/spark/sql/") || n.equals("org/apache/spark/SparkContext.class")
              || n.startsWith("org/apache/hadoop/") || n.startsWith("scala/"))
          .anyMatch(n -> n.startsWith("org/nd4j/linalg/cpu/nativecpu/"))
          .anyMatch(n -> n.startsWith("org/deeplearning4j/spark/"));
      String reference = new String(jf.getInputStream(jf.getEntry("reference.conf")).readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(reference).contains("progress-interval-seconds");
      assertThat(jf.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.sparkvlm.cli.Vlm");
    }
  }

  record Run(int code, String output) {}

  /**
   * Runs org.apache.spark.deploy.SparkSubmit (what the spark-submit script runs) with a Spark distribution's jars
   * only (spark-runtime/target/classpath.txt), as on a cluster.
   */
  Run sparkSubmit(String mainClass, String... args) throws Exception {
    String sparkClasspath = Files.readString(Path.of(System.getProperty("sparkvlm.spark.classpath"))).trim();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(System.getProperty("sparkvlm.java17.flags").trim().split("\\s+")));
    cmd.addAll(List.of("-Xmx1g", "-cp", sparkClasspath, "org.apache.spark.deploy.SparkSubmit",
        "--master", "local[1]", "--conf", "spark.ui.enabled=false", "--class", mainClass, jar.toString()));
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Path log = Files.createTempFile("spark-submit", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("spark-submit finished").isTrue();
    return new Run(p.exitValue(), Files.readString(log));
  }

  @Test
  void sparkSubmitRunsTheCliFromTheShadedJar() throws Exception {
    Run r = sparkSubmit("io.sparkvlm.cli.Vlm", "config", "show", "--section", "spark");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("app-name").contains("progress-interval-seconds");
  }

  @Test
  void sparkSubmitRunsAStageMainClass() throws Exception {
    Run r = sparkSubmit("io.sparkvlm.ingest.IngestJob");
    assertThat(r.code()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("ingest: configuration error: Config key 'ingest.input.path' must be set");
    Run eval = sparkSubmit("io.sparkvlm.eval.EvalJob");
    assertThat(eval.code()).as(eval.output()).isEqualTo(2);
    assertThat(eval.output()).contains("eval model: configuration error: Config key 'eval.model.checkpoint' must be set");
    Run filter = sparkSubmit("io.sparkvlm.filter.FilterJob");
    // the defaults name a round-0 CLIP that is not there: refused before any work, naming the key
    assertThat(filter.code()).as(filter.output()).isEqualTo(1);
    assertThat(filter.output()).contains("filter: filter.clip: No checkpoint at work/checkpoints/clip");
  }
}
