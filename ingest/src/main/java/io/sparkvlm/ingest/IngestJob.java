package io.sparkvlm.ingest;

import io.sparkvlm.core.job.JobLauncher;

/**
 * spark-submit entry point of the {@code ingest} stage. Not implemented yet: it says so and exits
 * {@value JobLauncher#USAGE} rather than pretend to succeed.
 */
public final class IngestJob {
  private IngestJob() {}

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.notImplemented("ingest", "issue #5", System.err);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
