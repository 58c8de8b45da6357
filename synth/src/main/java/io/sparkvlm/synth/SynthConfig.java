package io.sparkvlm.synth;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The {@code synth} config section: how big the synthetic world is and how noisy its web.
 *
 * @param out output folder (local)
 * @param scenes number of scenes over all splits
 * @param seed random seed; the same seed gives the same bytes
 * @param imageSize image side in pixels
 * @param jpegQuality JPEG quality, 1..100
 * @param captionsPerImage clean captions per image
 * @param wordRate share of scenes with a written word
 * @param seedShare share of scenes in the seed split
 * @param instructShare share of scenes in the instruct split
 * @param testShare share of scenes in the test split (web gets the rest)
 * @param noise rate of each web caption noise type; they sum to 1
 * @param web the simulated web
 * @param overwrite {@code output.overwrite}: replace a world already at {@code out}
 */
public record SynthConfig(String out, int scenes, long seed, int imageSize, int jpegQuality, int captionsPerImage,
    double wordRate, double seedShare, double instructShare, double testShare, Map<NoiseType, Double> noise,
    Web web, boolean overwrite) {

  /**
   * @param baseUrl where the URL lists point; the simulated web binds to its port
   * @param shardSize samples per WebDataset tar shard
   * @param slowDelayMs delay of a slow response
   * @param hangDurationMs how long a hanging response hangs
   * @param oversizedBytes size of an oversized response
   * @param faults rate of each fault; the rest of the URLs are healthy
   */
  public record Web(String baseUrl, int shardSize, long slowDelayMs, long hangDurationMs, long oversizedBytes,
      Map<WebFault, Double> faults) {}

  public static SynthConfig from(ConfigReader c) {
    Map<NoiseType, Double> noise = new EnumMap<>(NoiseType.class);
    double noiseSum = 0;
    for (NoiseType t : NoiseType.values()) {
      double rate = c.doubleIn("synth.noise." + ConfigReader.configName(t), 0, 1);
      noise.put(t, rate);
      noiseSum += rate;
    }
    if (Math.abs(noiseSum - 1) > 1e-6) {
      throw new ConfigError("synth.noise", "Config keys 'synth.noise.*' must sum to 1 (they are the shares of"
          + " each kind of web caption), but sum to " + noiseSum);
    }
    Map<WebFault, Double> faults = new EnumMap<>(WebFault.class);
    double faultSum = 0;
    for (WebFault f : WebFault.values()) {
      if (f == WebFault.NONE) {
        continue;
      }
      double rate = c.doubleIn("synth.web.faults." + ConfigReader.configName(f), 0, 1);
      faults.put(f, rate);
      faultSum += rate;
    }
    if (faultSum > 1 + 1e-9) {
      throw new ConfigError("synth.web.faults", "Config keys 'synth.web.faults.*' must sum to at most 1, but sum to "
          + faultSum);
    }
    double seedShare = c.doubleIn("synth.splits.seed", 0, 1);
    double instructShare = c.doubleIn("synth.splits.instruct", 0, 1);
    double testShare = c.doubleIn("synth.splits.test", 0, 1);
    if (seedShare + instructShare + testShare >= 1) {
      throw new ConfigError("synth.splits", "Config keys 'synth.splits.*' must sum to less than 1 (the web split"
          + " gets the rest), but sum to " + (seedShare + instructShare + testShare));
    }
    String baseUrl = c.nonEmptyString("synth.web.base-url");
    if (!baseUrl.matches("http://[^/:]+:\\d+")) {
      throw new ConfigError("synth.web.base-url", "Config key 'synth.web.base-url' = '" + baseUrl
          + "' must look like http://127.0.0.1:8765 (scheme, host and port, no path)");
    }
    Web web = new Web(baseUrl, c.intIn("synth.web.shard-size", 1, 1_000_000),
        c.durationIn("synth.web.slow-delay", Duration.ZERO, Duration.ofMinutes(5)).toMillis(),
        c.durationIn("synth.web.hang-duration", Duration.ZERO, Duration.ofHours(1)).toMillis(),
        c.longIn("synth.web.oversized-bytes", 1024, 1L << 34), faults);
    return new SynthConfig(c.nonEmptyString("synth.out"), c.intIn("synth.scenes", 10, 100_000_000),
        c.longIn("synth.seed", Long.MIN_VALUE, Long.MAX_VALUE), c.intIn("synth.image-size", 16, 1024),
        c.intIn("synth.jpeg-quality", 1, 100), c.intIn("synth.captions-per-image", 1, 20),
        c.doubleIn("synth.word-rate", 0, 1), seedShare, instructShare, testShare, noise, web,
        c.bool(io.sparkvlm.core.job.OutputSettings.OVERWRITE));
  }
}
