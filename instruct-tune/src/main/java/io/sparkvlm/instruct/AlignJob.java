package io.sparkvlm.instruct;

import io.sparkvlm.core.job.JobLauncher;

/**
 * spark-submit entry point of the {@code align} stage. Not implemented yet: it says so and exits
 * {@value JobLauncher#USAGE} rather than pretend to succeed.
 */
public final class AlignJob {
  private AlignJob() {}

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.notImplemented("align", "no issue filed yet: LLaVA stage 1, see docs/architecture.md", System.err);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
