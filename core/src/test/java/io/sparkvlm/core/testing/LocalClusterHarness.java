package io.sparkvlm.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;

/**
 * {@code local-cluster[2,1,1024]}: a Spark master and two workers inside the test JVM, each worker starting a
 * real executor JVM. Executors build their class path from {@code $SPARK_HOME/jars}, so this harness fills that
 * folder (under the module's target/, set by the build as SPARK_HOME) with links to every jar on the test class
 * path, and passes the class folders (module classes and test classes) as {@code spark.executor.extraClassPath}.
 */
public final class LocalClusterHarness {
  public static final String MASTER = "local-cluster[2,1,1024]";
  /**
   * The JIT flag of the executor JVMs that the tests start (here, and the cli's standalone and YARN clusters): C1
   * only. They live for seconds to a minute and do little arithmetic on nano models, so C2's compilations were
   * mostly spent on code run a few times, and on 2 cores compiling competed with the work: the standalone-cluster
   * test took 397-416 s with C2 and 273 s with C1 only, its training steps faster too (2026-12-07, AMD EPYC). A
   * test setting, not a recommendation: long-lived executors want C2, and conf/spark keeps the JVM's default.
   */
  public static final String SHORT_LIVED_JVM = "-XX:TieredStopAtLevel=1";

  private LocalClusterHarness() {}

  static SparkConf configure(SparkConf conf) {
    String sparkHome = System.getenv("SPARK_HOME");
    if (sparkHome == null || sparkHome.isBlank()) {
      throw new IllegalStateException("local-cluster tests need SPARK_HOME (the build sets it to target/spark-home;"
          + " run them through Maven)");
    }
    if (System.getenv("SPARK_SCALA_VERSION") == null) {
      throw new IllegalStateException("local-cluster tests need SPARK_SCALA_VERSION=2.12 (the build sets it)");
    }
    List<String> folders = populateJars(Path.of(sparkHome).resolve("jars"));
    String flags = System.getProperty("sparkvlm.java17.flags", "");
    String cacheDir = System.getProperty("sparkvlm.javacpp.cachedir");
    String executorOptions = flags
        + (cacheDir == null ? "" : " -Dorg.bytedeco.javacpp.cachedir=" + cacheDir)
        + " -Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir") + " " + SHORT_LIVED_JVM;
    return conf
        .set("spark.executor.extraClassPath", String.join(File.pathSeparator, folders))
        .set("spark.executor.extraJavaOptions", executorOptions.trim())
        .set("spark.executor.memory", "1g")
        .set("spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1");
  }

  /** Links every jar on the class path into {@code jars}; returns the class path's folders. */
  private static List<String> populateJars(Path jars) {
    List<String> folders = new ArrayList<>();
    try {
      if (Files.exists(jars)) {
        try (Stream<Path> old = Files.walk(jars)) {
          for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.createDirectories(jars);
      Set<String> names = new HashSet<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        if (entry.isBlank()) {
          continue;
        }
        Path path = Path.of(entry).toAbsolutePath();
        if (Files.isDirectory(path)) {
          folders.add(path.toString());
        } else if (entry.endsWith(".jar") && Files.exists(path)) {
          String name = path.getFileName().toString();
          String unique = names.add(name) ? name : names.size() + "-" + name;
          Files.createSymbolicLink(jars.resolve(unique), path);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare " + jars, e);
    }
    return folders;
  }
}
