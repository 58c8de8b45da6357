package io.sparkvlm.core.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What produced an artifact: spark-vlm's own version and the versions of Java, Spark, Scala, Hadoop and DL4J/ND4J
 * on the class path, plus which ND4J backend is present. Read from class-path metadata only, so asking does not
 * load ND4J's native libraries.
 */
public final class Versions {
  private Versions() {}

  /** {@link #nd4jBackend}'s answers, as manifests record them. */
  public static final String ND4J_CUDA = "nd4j-cuda";
  public static final String ND4J_NATIVE = "nd4j-native";
  public static final String NO_ND4J_BACKEND = "none";

  public static String codeVersion() {
    Properties p = load("io/sparkvlm/core/version.properties");
    return p.getProperty("version", "unknown");
  }

  public static Map<String, String> all() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("spark_vlm", codeVersion());
    out.put("java", System.getProperty("java.version"));
    out.put("spark", mavenVersion("org.apache.spark", "spark-core_2.12"));
    out.put("scala", scala.util.Properties.versionNumberString());
    out.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
    out.put("dl4j", mavenVersion("org.deeplearning4j", "deeplearning4j-nn"));
    out.put("nd4j_backend", nd4jBackend());
    return out;
  }

  /** {@code nd4j-native}, {@code nd4j-cuda} or {@code none}, judged by which backend class is on the class path. */
  public static String nd4jBackend() {
    if (present("org.nd4j.linalg.jcublas.JCublasBackend")) {
      return ND4J_CUDA;
    }
    if (present("org.nd4j.linalg.cpu.nativecpu.CpuBackend")) {
      return ND4J_NATIVE;
    }
    return NO_ND4J_BACKEND;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Versions.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static String mavenVersion(String group, String artifact) {
    Properties p = load("META-INF/maven/" + group + "/" + artifact + "/pom.properties");
    return p.getProperty("version", "unknown");
  }

  private static Properties load(String resource) {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getClassLoader().getResourceAsStream(resource)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // metadata is best effort: an unknown version is recorded as "unknown"
    }
    return p;
  }
}
