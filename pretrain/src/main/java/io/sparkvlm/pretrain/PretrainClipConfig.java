package io.sparkvlm.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.EffectiveConfig;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.List;
import java.util.Optional;

/** The {@code pretrain.clip} config section, validated. */
public record PretrainClipConfig(String input, String output, ClipShape shape, Optional<String> tokenizer,
    int tokenizerMinFrequency, long seed, boolean resume, boolean lockedImage, boolean overwrite, int epochs, int maxSteps,
    int workers, int nd4jThreads, int batchSizePerWorker, int averagingFrequency, int logEverySteps, int checkpointEverySteps,
    OptimiserSettings optimiser, double minCropScale, Optional<Eval> eval, JsonNode effectiveConfig) {

  /** The optimiser without its schedule length, which depends on the data. */
  public record OptimiserSettings(double learningRate, int warmupSteps, double beta1, double beta2, double epsilon,
      double weightDecay, double gradientClip) {
    public Optimiser forSteps(int totalSteps) {
      return new Optimiser(learningRate, Math.min(warmupSteps, totalSteps), totalSteps, beta1, beta2, epsilon,
          weightDecay, gradientClip);
    }
  }

  public record Eval(String root, int everySteps, Optional<String> retrieval, List<String> zeroShot,
      int maxImages) {}

  private static final String P = "pretrain.clip.";

  public static PretrainClipConfig from(ConfigReader c) {
    int averaging = c.intIn(P + "averaging-frequency", 1, 10_000);
    int logEvery = c.intIn(P + "log-every-steps", 1, 1_000_000);
    multiple(c, "log-every-steps", logEvery, "averaging-frequency", averaging);
    int checkpointEvery = c.intIn(P + "checkpoint-every-steps", 1, 100_000_000);
    multiple(c, "checkpoint-every-steps", checkpointEvery, "log-every-steps", logEvery);
    Optional<Eval> eval = Optional.empty();
    Optional<String> root = c.optionalString(P + "eval.root");
    if (root.isPresent()) {
      int every = c.intIn(P + "eval.every-steps", 1, 100_000_000);
      multiple(c, "eval.every-steps", every, "log-every-steps", logEvery);
      eval = Optional.of(new Eval(root.get(), every, c.optionalString(P + "eval.retrieval"),
          c.stringList(P + "eval.zero-shot"), c.intIn(P + "eval.max-images", 1, 10_000_000)));
    }
    OptimiserSettings optimiser = new OptimiserSettings(
        c.doubleIn(P + "optimiser.learning-rate", 1e-9, 10), c.intIn(P + "optimiser.warmup-steps", 0, 100_000_000),
        c.doubleIn(P + "optimiser.beta1", 0, 0.999999), c.doubleIn(P + "optimiser.beta2", 0, 0.999999),
        c.doubleIn(P + "optimiser.epsilon", 1e-12, 1), c.doubleIn(P + "optimiser.weight-decay", 0, 10),
        c.doubleIn(P + "optimiser.gradient-clip", 0, 1e6));
    return new PretrainClipConfig(c.nonEmptyString(P + "input"), c.nonEmptyString(P + "output"),
        ClipShape.preset(c.nonEmptyString(P + "model")), c.optionalString(P + "tokenizer"),
        c.intIn(P + "tokenizer-min-frequency", 1, 1_000_000), c.longIn(P + "seed", Long.MIN_VALUE, Long.MAX_VALUE),
        c.bool(P + "resume"), c.bool(P + "locked-image"), c.bool("output.overwrite"),
        c.intIn(P + "epochs", 1, 1_000_000), c.intIn(P + "max-steps", 0, 1_000_000_000),
        c.intIn(P + "workers", 0, 100_000),
        c.intIn(P + "nd4j-threads", 0, 4096),
        c.intIn(P + "batch-size-per-worker", 2, 1_000_000), averaging, logEvery, checkpointEvery, optimiser,
        c.doubleIn(P + "augment.min-crop-scale", 0.05, 1), eval, EffectiveConfig.toJson(c.config()));
  }

  private static void multiple(ConfigReader c, String key, int value, String ofKey, int of) {
    if (value % of != 0) {
      throw new ConfigError(P + key, "Config key '" + P + key + "' = " + value + " (set at "
          + ConfigReader.originOf(c.config(), P + key) + ") must be a multiple of " + P + ofKey + " = " + of);
    }
  }
}
