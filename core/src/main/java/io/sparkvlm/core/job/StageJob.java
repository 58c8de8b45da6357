package io.sparkvlm.core.job;

import io.sparkvlm.core.config.ConfigReader;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * One pipeline stage as a Spark job. Implementations are small: {@link #readConfig} turns the loaded config into
 * the stage's typed, validated record; {@link #run} does the work and returns what it wrote. Everything around it
 * (argument parsing, config loading, the Spark session, manifests, exit codes) is {@link JobLauncher}'s.
 *
 * @param <C> the stage's typed config record
 */
public interface StageJob<C> {

  /** The stage's name as used in the CLI and manifests, e.g. {@code ingest}. */
  String name();

  C readConfig(ConfigReader config);

  StageResult run(SparkSession spark, C config) throws Exception;

  /**
   * The files whose presence says this stage's outputs are complete: each is written after everything it vouches
   * for (a dataset's manifest, a run's manifest, a report folder moved into place). With
   * {@code output.skip-complete = true} a stage whose markers all exist does nothing. Empty (the default): the
   * stage has no such marker and always runs; training stages resume from their newest checkpoint instead, and
   * a complete training run trains 0 steps.
   */
  default List<String> completionMarkers(C config) {
    return List.of();
  }

  /**
   * The config sections whose values make this stage's outputs, e.g. {@code ingest}: recorded beside the first
   * completion marker when the stage finishes ({@link JobLauncher#STAGE_CONFIG}), and compared when
   * {@code output.skip-complete} would skip it: a complete output made with other values is an error, never
   * silently kept. Empty (the default): nothing is recorded or compared.
   */
  default List<String> configSections() {
    return List.of();
  }
}
