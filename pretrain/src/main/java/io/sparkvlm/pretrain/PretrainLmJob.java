package io.sparkvlm.pretrain;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm pretrain lm}: causal LM pretraining of the decoder on captions and instruction text, data-parallel
 * with DL4J Spark's parameter averaging (see {@link LmTrainer}); writes checkpoints and a metrics log with
 * perplexity. docs/stages/pretrain.md.
 */
public final class PretrainLmJob implements StageJob<PretrainLmConfig> {

  @Override
  public String name() {
    return "pretrain lm";
  }

  @Override
  public PretrainLmConfig readConfig(ConfigReader config) {
    return PretrainLmConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, PretrainLmConfig config) throws Exception {
    return new StageResult(List.of(), new LmTrainer(spark, config).train());
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new PretrainLmJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
