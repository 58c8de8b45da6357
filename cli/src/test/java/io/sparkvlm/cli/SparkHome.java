package io.sparkvlm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A SPARK_HOME as a Spark distribution lays it out for the launcher (jars/ holds the project's Spark runtime class
 * path, spark-runtime/target/classpath.txt), and the JVMs the cluster tests start from it: daemons and spark-submit.
 */
record SparkHome(Path home, String javacppCache) {

  /** Links every jar of the Spark runtime into {@code home}/jars. */
  static SparkHome assemble(Path home, Path defaultJavacppCache) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    String classpath = Files.readString(Path.of(System.getProperty("sparkvlm.spark.classpath"))).trim();
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      Path jar = Path.of(entry);
      Path link = jars.resolve(jar.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, jar.toAbsolutePath());
      }
    }
    return new SparkHome(home, System.getProperty("sparkvlm.javacpp.cachedir", defaultJavacppCache.toString()));
  }

  Path jars() {
    return home.resolve("jars");
  }

  /** A Java 17 command line (the project's flags, the JavaCPP cache) running {@code mainClass} from jars/. */
  List<String> java(List<String> jvm, String mainClass) {
    return java(jvm, List.of(), mainClass);
  }

  /**
   * The same with {@code confDirs} in front of jars/ on the class path, as bin/spark-class puts HADOOP_CONF_DIR
   * there: Hadoop's clients read yarn-site.xml and core-site.xml from the class path.
   */
  List<String> java(List<String> jvm, List<Path> confDirs, String mainClass) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(System.getProperty("sparkvlm.java17.flags").trim().split("\\s+")));
    cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + javacppCache);
    cmd.addAll(jvm);
    StringBuilder classpath = new StringBuilder();
    confDirs.forEach(d -> classpath.append(d).append(java.io.File.pathSeparator));
    cmd.addAll(List.of("-cp", classpath + jars().toString() + "/*", mainClass));
    return cmd;
  }

  /** Starts {@code cmd} with SPARK_HOME, JAVA_HOME and SPARK_LOCAL_IP set (and {@code env}), output to {@code log}. */
  Process start(List<String> cmd, Path log, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** A command that ended (code) or was killed at its timeout (-1), and its log. */
  record Submitted(int code, String log) {
    String tail() {
      return log.length() > 8000 ? log.substring(log.length() - 8000) : log;
    }
  }

  /** Runs {@code cmd} as {@link #start} does and waits for it; past {@code timeout} it and its children are killed. */
  Submitted run(List<String> cmd, Path log, Map<String, String> env, Duration timeout) throws Exception {
    Process p = start(cmd, log, env);
    boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    return new Submitted(done ? p.exitValue() : -1, (done ? "" : "TIMED OUT after " + timeout + "\n") + out);
  }
}
