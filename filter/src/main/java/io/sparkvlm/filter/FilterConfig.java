package io.sparkvlm.filter;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.OutputSettings;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.training.TrainingSettings;
import java.io.Serializable;
import java.util.OptionalDouble;

/** The {@code filter} config section, validated. */
public record FilterConfig(String input, String output, String run, Mode mode, String clip, String lm,
    String seedRoot, String seedPairs, SeedFormat seedFormat, Captioner captioner, Matcher matcher, Captions captions,
    double itmThreshold, OptionalDouble itcThreshold, ClipScore clipScore, int scoreBatch, boolean overwrite) {

  /** What the stage does (BLIP's ablation, and the CLIP-score baseline). */
  public enum Mode {
    /** Captioner and filter: synthetic captions added, every text filtered (BLIP). */
    CAPFILT,
    /** The filter on the web texts only. */
    FILTER_ONLY,
    /** Web and synthetic texts, nothing dropped. */
    CAPTIONER_ONLY,
    /** Web texts kept by the round-0 CLIP's cosine similarity (LAION, DataComp); no training. */
    CLIP_SCORE;

    public boolean captions() {
      return this == CAPFILT || this == CAPTIONER_ONLY;
    }

    public boolean filters() {
      return this == CAPFILT || this == FILTER_ONLY;
    }
  }

  /** How the seed set's file is written ({@link SeedSet}). */
  public enum SeedFormat {
    /** JSON Lines {@code {"id", "image", "captions": [...]}} (the synthetic world's {@code seed/pairs.jsonl}). */
    PAIRS_JSONL,
    /** A COCO captions file ({@code images} with id and file_name, {@code annotations} with image_id and caption). */
    COCO_CAPTIONS
  }

  /** What trains in the captioner. */
  public enum CaptionerTrainable { CONNECTOR_LM, ALL }

  /** The captioner's connector, the vision tower's tokens it reads, what trains and how. */
  public record Captioner(Connector connector, VisionFeatures features, CaptionerTrainable trainable,
      TrainingSettings training) {}

  /**
   * The filter's training, how many web captions each seed image gets as extra NO_MATCH rows per step (0: BLIP's
   * batches alone), and what its head reads (BLIP's fused token, or that and the round-0 CLIP's cosine).
   */
  public record Matcher(TrainingSettings training, int webNegatives, MatchingModel.Head head) {}

  public record Captions(int perImage, double topP, double temperature, int minTokens, int maxTokens, long seed,
      int batch) implements Serializable {}

  /** Exactly one of threshold and top fraction applies: the threshold when it is set. */
  public record ClipScore(OptionalDouble threshold, double topFraction) {}

  private static final String P = "filter.";
  /** The key of the pairs dataset to bootstrap. */
  static final String INPUT = P + "input";

  public static FilterConfig from(ConfigReader c) {
    Captioner captioner = new Captioner(
        Connector.of(c.nonEmptyString(P + "captioner.connector"), c.intIn(P + "captioner.resampler-queries", 1, 4096)),
        c.oneOf(P + "captioner.vision-select-feature", VisionFeatures.class),
        c.oneOf(P + "captioner.trainable", CaptionerTrainable.class),
        TrainingSettings.from(c, "filter.captioner", false));
    Captions captions = new Captions(c.intIn(P + "captions.per-image", 1, 16),
        c.doubleIn(P + "captions.top-p", 1e-6, 1), c.doubleIn(P + "captions.temperature", 0, 10),
        c.intIn(P + "captions.min-tokens", 0, 1000), c.intIn(P + "captions.max-tokens", 1, 1000),
        c.longIn(P + "captions.seed", Long.MIN_VALUE, Long.MAX_VALUE), c.intIn(P + "captions.batch", 1, 4096));
    if (captions.minTokens() > captions.maxTokens()) {
      throw new ConfigError(P + "captions.min-tokens", "Config key '" + P + "captions.min-tokens' = "
          + captions.minTokens() + " is more than filter.captions.max-tokens = " + captions.maxTokens());
    }
    OptionalDouble itc = c.isSet(P + "threshold.itc") ? OptionalDouble.of(c.doubleIn(P + "threshold.itc", -1, 1))
        : OptionalDouble.empty();
    ClipScore clipScore = new ClipScore(c.isSet(P + "clip-score.threshold")
        ? OptionalDouble.of(c.doubleIn(P + "clip-score.threshold", -1, 1)) : OptionalDouble.empty(),
        c.doubleIn(P + "clip-score.top-fraction", 1e-9, 1));
    return new FilterConfig(c.nonEmptyString(INPUT), c.nonEmptyString(P + "output"),
        c.nonEmptyString(P + "run"), c.oneOf(P + "mode", Mode.class), c.nonEmptyString(P + "clip"),
        c.nonEmptyString(P + "lm"), c.nonEmptyString(P + "seed.root"), c.nonEmptyString(P + "seed.pairs"),
        c.oneOf(P + "seed.format", SeedFormat.class), captioner,
        new Matcher(TrainingSettings.from(c, "filter.matcher", false), c.intIn(P + "matcher.web-negatives", 0, 16),
            c.oneOf(P + "matcher.head", MatchingModel.Head.class)),
        captions,
        c.doubleIn(P + "threshold.itm", 0, 1), itc, clipScore, c.intIn(P + "score-batch", 1, 4096),
        c.bool(OutputSettings.OVERWRITE));
  }
}
