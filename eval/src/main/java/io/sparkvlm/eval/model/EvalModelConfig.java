package io.sparkvlm.eval.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code eval.model} config section. */
public record EvalModelConfig(String checkpoint, String report, List<Suite> suites, int maxImages,
    int linearProbeMaxClasses, double linearProbeReg, int gallery, int imagesPerTask) {

  /** A folder of evaluation files; {@code probeTrain}: linear-probe training sets for some zero-shot tasks. */
  public record Suite(String root, Optional<String> retrieval, List<String> zeroShot, List<String> probeTrain) {}

  private static final String P = "eval.model.";

  public static EvalModelConfig from(ConfigReader c) {
    List<Suite> suites = new ArrayList<>();
    List<? extends Config> list;
    try {
      list = c.config().getConfigList(P + "suites");
    } catch (ConfigException e) {
      throw new ConfigError(P + "suites", "Config key '" + P + "suites' must be a list of {root, retrieval, "
          + "zero-shot, probe-train}: " + e.getMessage(), e);
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      ConfigReader s = new ConfigReader(list.get(i));
      String key = P + "suites[" + i + "]";
      if (!s.isSet("root")) {
        throw new ConfigError(key, "Config key '" + key + ".root' must be set");
      }
      List<String> zeroShot = s.isSet("zero-shot") ? s.stringList("zero-shot") : List.of();
      for (String z : zeroShot) {
        if (!names.add(z.replaceAll(".*/", ""))) {
          throw new ConfigError(key, "Config key '" + key + ".zero-shot': two suites have a task file named "
              + z.replaceAll(".*/", ""));
        }
      }
      List<String> probeTrain = s.isSet("probe-train") ? s.stringList("probe-train") : List.of();
      suites.add(new Suite(s.nonEmptyString("root"), s.optionalString("retrieval"), zeroShot, probeTrain));
    }
    return new EvalModelConfig(c.nonEmptyString(P + "checkpoint"), c.nonEmptyString(P + "report"), suites,
        c.intIn(P + "max-images", 1, 10_000_000), c.intIn(P + "linear-probe-max-classes", 0, 10_000),
        c.doubleIn(P + "linear-probe-reg", 0, 100), c.intIn(P + "gallery", 0, 1000),
        c.intIn(P + "images-per-task", 1, 1_000_000));
  }
}
