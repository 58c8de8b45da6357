package io.sparkvlm.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;

/** ND4J's "no backend" failures, in the forms ND4J throws them, explained by the backend the build carries. */
class Nd4jBackendsTest {
  /** What ND4J's first use throws when its backend's native libraries do not load. */
  private static Throwable firstUse() {
    return new ExceptionInInitializerError(new RuntimeException(new Nd4jBackend.NoAvailableBackendException(
        "Please ensure that you have an nd4j backend on your classpath.")));
  }

  /** What every later use throws. */
  private static Throwable laterUse() {
    return new NoClassDefFoundError("Could not initialize class " + Nd4j.class.getName());
  }

  @Test
  void eachBuildsBackendIsNamedWithWhatItNeeds() {
    assertThat(Nd4jBackends.explain(firstUse(), Versions.ND4J_CUDA)).get().asString().contains("built with -Pcuda")
        .contains("libcuda.so.1").contains("Skipped [JCublasBackend]").contains("the default build");
    assertThat(Nd4jBackends.explain(laterUse(), Versions.ND4J_CUDA)).get().asString().contains("CUDA backend");
    assertThat(Nd4jBackends.explain(laterUse(), Versions.ND4J_NATIVE)).get().asString().contains("CPU backend")
        .contains("Skipped [CpuBackend]").contains("cachedir");
    assertThat(Nd4jBackends.explain(firstUse(), Versions.NO_ND4J_BACKEND)).get().asString()
        .contains("neither nd4j-native nor nd4j-cuda");
    // inside a wrapper, as a Spark task or a picocli command reports it
    assertThat(Nd4jBackends.explain(new IllegalStateException("task failed", firstUse()), Versions.ND4J_NATIVE))
        .isPresent();
  }

  @Test
  void otherFailuresAreNotExplainedAway() {
    assertThat(Nd4jBackends.explain(new IllegalStateException("out of memory"), Versions.ND4J_CUDA)).isEmpty();
    assertThat(Nd4jBackends.explain(new NoClassDefFoundError("org/example/Missing"), Versions.ND4J_NATIVE)).isEmpty();
    assertThat(Nd4jBackends.explain(new ExceptionInInitializerError(new ArithmeticException()), Versions.ND4J_NATIVE))
        .isEmpty();
  }

  @Test
  void thisBuildsBackendLoadsAndIsTheOneVersionsNames() {
    Nd4jBackends.require();
    assertThat(Versions.nd4jBackend()).isEqualTo(Versions.ND4J_NATIVE);
    assertThat(Nd4j.getExecutioner().type().name()).isEqualTo("NATIVE_CPU");
  }
}
