package io.sparkvlm.core.runtime;

import java.util.Optional;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * ND4J's backend failing to load, said plainly. ND4J reports a backend whose native libraries do not load (a CUDA
 * build on a machine without an NVIDIA driver, a CPU build whose libraries cannot be unpacked) as "Please ensure that
 * you have an nd4j backend on your classpath", inside an {@link ExceptionInInitializerError}, and every later use as
 * "Could not initialize class org.nd4j.linalg.factory.Nd4j": both point away from the cause.
 */
public final class Nd4jBackends {
  private static final String ND4J_CLASS = Nd4j.class.getName();

  private Nd4jBackends() {}

  /** ND4J's backend could not be loaded; the message says which one this build carries and what it needs. */
  public static final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Loads ND4J's backend now (a no-op once loaded), or throws {@link Unavailable} explaining why it cannot. */
  public static void require() {
    try {
      Nd4j.getBackend();
    } catch (RuntimeException | LinkageError e) {
      Optional<String> why = explain(e, Versions.nd4jBackend());
      if (why.isPresent()) {
        throw new Unavailable(why.get(), e);
      }
      throw e;
    }
  }

  /** The explanation when {@code failure} is ND4J failing to load its backend; empty for any other failure. */
  public static Optional<String> explain(Throwable failure) {
    return explain(failure, Versions.nd4jBackend());
  }

  /** As {@link #explain(Throwable)} for a build that carries {@code backend} ({@link Versions#nd4jBackend}). */
  static Optional<String> explain(Throwable failure, String backend) {
    if (!isBackendFailure(failure)) {
      return Optional.empty();
    }
    String message = switch (backend) {
      case Versions.ND4J_CUDA -> "ND4J could not load its CUDA backend, the one this build carries (built with "
          + "-Pcuda): it needs an NVIDIA GPU, its driver (libcuda.so.1) and CUDA 11.6 on every machine that runs "
          + "spark-vlm, the Spark driver included. The log line \"Skipped [JCublasBackend] backend\" above names "
          + "the library that did not load. On machines without a GPU, use the default build (mvn package: the CPU "
          + "backend).";
      case Versions.ND4J_NATIVE -> "ND4J could not load its CPU backend (nd4j-native): the log line \"Skipped "
          + "[CpuBackend] backend\" above names the library that did not load (JavaCPP unpacks it under "
          + "-Dorg.bytedeco.javacpp.cachedir, which must be writable and have room; the CPU must match the build's "
          + "platform, linux-x86_64).";
      default -> "No ND4J backend is on the class path: this jar holds neither nd4j-native nor nd4j-cuda (build "
          + "it with mvn package, or mvn -Pcuda package for GPUs).";
    };
    return Optional.of(message);
  }

  /** Whether ND4J's "no backend" failure is somewhere in {@code failure}'s causes. */
  private static boolean isBackendFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Nd4jBackend.NoAvailableBackendException || t instanceof Unavailable) {
        return true;
      }
      // every use after the failed first one
      if (t instanceof NoClassDefFoundError && String.valueOf(t.getMessage()).contains(ND4J_CLASS)) {
        return true;
      }
    }
    return false;
  }
}
