package io.sparkvlm.pretrain;

import io.sparkvlm.core.job.JobLauncher;

/**
 * spark-submit entry point of the {@code pretrain clip} stage. Not implemented yet: it says so and exits
 * {@value JobLauncher#USAGE} rather than pretend to succeed.
 */
public final class PretrainClipJob {
  private PretrainClipJob() {}

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.notImplemented("pretrain clip", "issue #7", System.err);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
