package io.sparkvlm.pretrain;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm pretrain clip}: data-parallel CLIP contrastive pretraining on the pairs dataset with DL4J Spark's
 * parameter averaging (see {@link ClipTrainer}); writes checkpoints and a metrics log. docs/stages/pretrain.md.
 */
public final class PretrainClipJob implements StageJob<PretrainClipConfig> {

  @Override
  public String name() {
    return "pretrain clip";
  }

  @Override
  public PretrainClipConfig readConfig(ConfigReader config) {
    return PretrainClipConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, PretrainClipConfig config) throws Exception {
    return new StageResult(List.of(), new ClipTrainer(spark, config).train());
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new PretrainClipJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
