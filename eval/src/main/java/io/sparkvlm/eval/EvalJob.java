package io.sparkvlm.eval;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.eval.model.EvalModelConfig;
import io.sparkvlm.eval.model.ModelEvaluation;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm eval model}: evaluates a CLIP checkpoint on Spark executors (zero-shot classification, retrieval,
 * linear probe) and writes {@code report.html}, {@code report.md} and {@code metrics.json}. docs/stages/eval.md.
 */
public final class EvalJob implements StageJob<EvalModelConfig> {

  @Override
  public String name() {
    return "eval model";
  }

  @Override
  public EvalModelConfig readConfig(ConfigReader config) {
    return EvalModelConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, EvalModelConfig config) throws Exception {
    return new StageResult(List.of(), ModelEvaluation.run(spark, config));
  }

  /** The report's metrics.json: the report folder is moved into place whole (a local folder). */
  @Override
  public List<String> configSections() {
    return List.of("eval.model");
  }

  @Override
  public List<String> completionMarkers(EvalModelConfig config) {
    return List.of(java.nio.file.Path.of(config.report(), ScoreFiles.METRICS).toAbsolutePath().toUri().toString());
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new EvalJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
