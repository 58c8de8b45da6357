package io.sparkvlm.filter;

import io.sparkvlm.core.job.JobLauncher;

/**
 * spark-submit entry point of the {@code filter} stage. Not implemented yet: it says so and exits
 * {@value JobLauncher#USAGE} rather than pretend to succeed.
 */
public final class FilterJob {
  private FilterJob() {}

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.notImplemented("filter", "no issue filed yet: BLIP CapFilt, see docs/architecture.md", System.err);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
