package io.sparkvlm.synth;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** {@code vlm synth}: generates the synthetic world (see {@link SyntheticWorld}). */
public final class SynthJob implements StageJob<SynthConfig> {

  @Override
  public String name() {
    return "synth";
  }

  @Override
  public SynthConfig readConfig(ConfigReader config) {
    return SynthConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, SynthConfig config) throws Exception {
    SyntheticWorld.Summary s = SyntheticWorld.generate(spark, config);
    return new StageResult(List.of(), s.scenesBySplit() + " scenes at " + config.out() + " in " + s.seconds()
        + "s; web captions " + s.noise() + "; web faults " + s.faults());
  }

  /** The world's manifest, written after every file of the world (a local folder). */
  @Override
  public List<String> configSections() {
    return List.of("synth");
  }

  @Override
  public List<String> completionMarkers(SynthConfig config) {
    return List.of(java.nio.file.Path.of(config.out(), SyntheticWorld.MANIFEST).toAbsolutePath().toUri().toString());
  }

  public static int run(String[] args) {
    return JobLauncher.main(new SynthJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
