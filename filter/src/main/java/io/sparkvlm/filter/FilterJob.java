package io.sparkvlm.filter;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm filter}: BLIP's captioner-filter bootstrapping (CapFilt) of the web pairs, or its ablations and the
 * CLIP-score baseline ({@code filter.mode}); see {@link CapFilt} and docs/stages/filter.md.
 */
public final class FilterJob implements StageJob<FilterConfig> {

  @Override
  public String name() {
    return "filter";
  }

  @Override
  public FilterConfig readConfig(ConfigReader config) {
    return FilterConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, FilterConfig config) throws Exception {
    return new CapFilt(spark, config).run();
  }

  /** The run's manifest (written after the decisions and the rows) and the bootstrapped dataset's (after that). */
  @Override
  public List<String> configSections() {
    return List.of("filter");
  }

  @Override
  public List<String> completionMarkers(FilterConfig config) {
    return CapFilt.completionMarkers(config);
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new FilterJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
