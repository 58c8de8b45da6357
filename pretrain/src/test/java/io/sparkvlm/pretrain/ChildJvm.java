package io.sparkvlm.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a job's main class in a separate JVM with this test JVM's class path and flags, so a test can kill it. */
final class ChildJvm {
  private ChildJvm() {}

  static Process start(Class<?> main, List<String> confOverrides, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : System.getProperty("sparkvlm.java17.flags", "").trim().split("\\s+")) {
      if (!flag.isEmpty()) {
        cmd.add(flag);
      }
    }
    String cacheDir = System.getProperty("sparkvlm.javacpp.cachedir");
    if (cacheDir != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cacheDir);
    }
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    for (String o : confOverrides) {
      cmd.add("--conf");
      cmd.add(o);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

}
