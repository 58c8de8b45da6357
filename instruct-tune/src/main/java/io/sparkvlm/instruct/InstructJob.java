package io.sparkvlm.instruct;

import io.sparkvlm.core.job.JobLauncher;

/**
 * spark-submit entry point of the {@code instruct} stage. Not implemented yet: it says so and exits
 * {@value JobLauncher#USAGE} rather than pretend to succeed.
 */
public final class InstructJob {
  private InstructJob() {}

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.notImplemented("instruct", "no issue filed yet: LLaVA stage 2, see docs/architecture.md", System.err);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
