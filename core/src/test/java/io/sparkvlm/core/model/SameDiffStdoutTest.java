package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.model.training.TrainingRecipeTestAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SameDiffStdoutTest {
  @Test
  void dropsNd4jsDifferentiationLinesAndPassesEverythingElse() {
    PrintStream previous = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      SameDiffStdout.quiet();
      SameDiffStdout.quiet(); // idempotent
      TrainingRecipeTestAccess.trainOneNanoStep(); // builds and differentiates every SameDiff layer
      System.out.println("a line of our own");
    } finally {
      System.setOut(previous);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain(SameDiffStdout.NOISE).contains("a line of our own");
  }
}
