package io.sparkvlm.eval;

import io.sparkvlm.core.job.JobLauncher;

/**
 * spark-submit entry point of the {@code eval} stage. Not implemented yet: it says so and exits
 * {@value JobLauncher#USAGE} rather than pretend to succeed.
 */
public final class EvalJob {
  private EvalJob() {}

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.notImplemented("eval", "issue #6", System.err);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
