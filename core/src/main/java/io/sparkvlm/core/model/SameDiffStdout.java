package io.sparkvlm.core.model;

import java.io.PrintStream;

/**
 * ND4J 1.0.0-M2.1 prints {@code Added differentiated op NAME} to standard output, unconditionally, for every op of
 * every SameDiff graph it differentiates (SameDiff.java, createGradFunction): thousands of lines per model build,
 * on the driver and on every Spark task that builds a network. {@link #quiet} replaces {@code System.out} with a
 * stream that drops exactly those lines and passes everything else through. Idempotent; called where networks get
 * built (the stage launcher, the training data on executors).
 */
public final class SameDiffStdout {
  static final String NOISE = "Added differentiated op ";

  private SameDiffStdout() {}

  public static synchronized void quiet() {
    if (!(System.out instanceof Filtered)) {
      System.setOut(new Filtered(System.out));
    }
  }

  static final class Filtered extends PrintStream {
    Filtered(PrintStream out) {
      super(out, true);
    }

    @Override
    public void println(String line) {
      if (line == null || !line.startsWith(NOISE)) {
        super.println(line);
      }
    }
  }
}
