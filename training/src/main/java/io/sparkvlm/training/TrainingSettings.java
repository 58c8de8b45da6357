package io.sparkvlm.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.OutputSettings;
import io.sparkvlm.core.config.EffectiveConfig;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.Optional;

/**
 * The keys every pretraining job shares under its section ({@code pretrain.clip.}, {@code pretrain.lm.}): run
 * folder, tokenizer, seed, resume, length, data parallelism, logging/checkpoint/eval intervals, optimiser.
 */
public record TrainingSettings(String section, String output, Optional<String> tokenizer, int tokenizerMinFrequency,
    long seed, boolean resume, boolean overwrite, int epochs, int maxSteps, int workers, int nd4jThreads,
    int batchSizePerWorker, int averagingFrequency, int logEverySteps, int checkpointEverySteps,
    Optional<Integer> evalEverySteps, OptimiserSettings optimiser, JsonNode effectiveConfig) {

  /** The optimiser without its schedule length, which depends on the data. */
  public record OptimiserSettings(double learningRate, int warmupSteps, double beta1, double beta2, double epsilon,
      double weightDecay, double gradientClip) {
    public Optimiser forSteps(int totalSteps) {
      return new Optimiser(learningRate, Math.min(warmupSteps, totalSteps), totalSteps, beta1, beta2, epsilon,
          weightDecay, gradientClip);
    }
  }

  /** Reads the section; {@code evaluates} says whether the job's evaluation is switched on. */
  public static TrainingSettings from(ConfigReader c, String section, boolean evaluates) {
    String p = section + ".";
    int averaging = c.intIn(p + "averaging-frequency", 1, 10_000);
    int logEvery = c.intIn(p + "log-every-steps", 1, 1_000_000);
    multiple(c, p + "log-every-steps", logEvery, p + "averaging-frequency", averaging);
    int checkpointEvery = c.intIn(p + "checkpoint-every-steps", 1, 100_000_000);
    multiple(c, p + "checkpoint-every-steps", checkpointEvery, p + "log-every-steps", logEvery);
    Optional<Integer> evalEvery = Optional.empty();
    if (evaluates) {
      int every = c.intIn(p + "eval.every-steps", 1, 100_000_000);
      multiple(c, p + "eval.every-steps", every, p + "log-every-steps", logEvery);
      evalEvery = Optional.of(every);
    }
    OptimiserSettings optimiser = new OptimiserSettings(
        c.doubleIn(p + "optimiser.learning-rate", 1e-9, 10), c.intIn(p + "optimiser.warmup-steps", 0, 100_000_000),
        c.doubleIn(p + "optimiser.beta1", 0, 0.999999), c.doubleIn(p + "optimiser.beta2", 0, 0.999999),
        c.doubleIn(p + "optimiser.epsilon", 1e-12, 1), c.doubleIn(p + "optimiser.weight-decay", 0, 10),
        c.doubleIn(p + "optimiser.gradient-clip", 0, 1e6));
    return new TrainingSettings(section, c.nonEmptyString(p + "output"), c.optionalString(p + "tokenizer"),
        c.intIn(p + "tokenizer-min-frequency", 1, 1_000_000), c.longIn(p + "seed", Long.MIN_VALUE, Long.MAX_VALUE),
        c.bool(p + "resume"), c.bool(OutputSettings.OVERWRITE), c.intIn(p + "epochs", 1, 1_000_000),
        c.intIn(p + "max-steps", 0, 1_000_000_000), c.intIn(p + "workers", 0, 100_000),
        c.intIn(p + "nd4j-threads", 0, 4096), c.intIn(p + "batch-size-per-worker", 2, 1_000_000), averaging,
        logEvery, checkpointEvery, evalEvery, optimiser, EffectiveConfig.toJson(c.config()));
  }

  private static void multiple(ConfigReader c, String key, int value, String ofKey, int of) {
    if (value % of != 0) {
      throw new ConfigError(key, "Config key '" + key + "' = " + value + " (set at "
          + ConfigReader.originOf(c.config(), key) + ") must be a multiple of " + ofKey + " = " + of);
    }
  }
}
