package io.sparkvlm.eval.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code eval.model} config section. */
public record EvalModelConfig(String checkpoint, String report, List<Suite> suites, int maxImages,
    int linearProbeMaxClasses, double linearProbeReg, int gallery, int imagesPerTask, Generation generation,
    ClipEvaluator.Templates zeroShotTemplates) {

  /**
   * A folder of evaluation files, each relative to {@code root}. For CLIP checkpoints: retrieval, zero-shot tasks and
   * linear-probe training sets ({@code probeTrain}); for vision-language checkpoints: a COCO captions file (its
   * images' {@code file_name}s relative to root) and VQA v2 questions and annotations whose image ids are looked up
   * in {@code vqaImages} (a COCO-format file; by default the captions file).
   */
  public record Suite(String root, Optional<String> retrieval, List<String> zeroShot, List<String> probeTrain,
      Optional<String> captions, Optional<Vqa> vqa) {}

  /** VQA v2 questions and annotations, and the COCO-format file that names their images. */
  public record Vqa(String questions, String annotations, String images) {}

  /**
   * How a vision-language model is asked (greedy decoding, in {@link io.sparkvlm.core.text.ChatTemplate}'s format):
   * the caption prompt, the instruction put on a new line after each VQA question (LLaVA-1.5's short-answer
   * prompt), and the most tokens an answer may have.
   */
  public record Generation(String captionPrompt, String vqaInstruction, int maxNewTokens) {}

  private static final String P = "eval.model.";
  private static final Set<String> SUITE_KEYS = Set.of("root", "retrieval", "zero-shot", "probe-train", "captions",
      "vqa-questions", "vqa-annotations", "vqa-images");

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
      for (String k : list.get(i).root().keySet()) {
        if (!SUITE_KEYS.contains(k)) {
          throw new ConfigError(key, "Unknown config key '" + key + "." + k + "': a suite has "
              + String.join(", ", new java.util.TreeSet<>(SUITE_KEYS)));
        }
      }
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
      Optional<String> captions = s.optionalString("captions");
      Optional<Vqa> vqa = Optional.empty();
      if (s.isSet("vqa-questions") != s.isSet("vqa-annotations")) {
        throw new ConfigError(key, "Config key '" + key + "': vqa-questions and vqa-annotations go together");
      }
      if (s.isSet("vqa-questions")) {
        Optional<String> images = s.optionalString("vqa-images").or(() -> captions);
        if (images.isEmpty()) {
          throw new ConfigError(key, "Config key '" + key + ".vqa-images' must be set (a COCO-format file naming "
              + "the questions' images) when the suite has no captions file");
        }
        vqa = Optional.of(new Vqa(s.nonEmptyString("vqa-questions"), s.nonEmptyString("vqa-annotations"),
            images.get()));
      }
      for (String file : java.util.stream.Stream.concat(captions.stream(), vqa.map(Vqa::questions).stream())
          .toList()) {
        if (!names.add(file.replaceAll(".*/", ""))) {
          throw new ConfigError(key, "Config key '" + key + "': two suites have a file named "
              + file.replaceAll(".*/", ""));
        }
      }
      suites.add(new Suite(s.nonEmptyString("root"), s.optionalString("retrieval"), zeroShot, probeTrain, captions,
          vqa));
    }
    return new EvalModelConfig(c.nonEmptyString(P + "checkpoint"), c.nonEmptyString(P + "report"), suites,
        c.intIn(P + "max-images", 1, 10_000_000), c.intIn(P + "linear-probe-max-classes", 0, 10_000),
        c.doubleIn(P + "linear-probe-reg", 0, 100), c.intIn(P + "gallery", 0, 1000),
        c.intIn(P + "images-per-task", 1, 1_000_000),
        new Generation(c.nonEmptyString(P + "generation.caption-prompt"), c.string(P + "generation.vqa-instruction"),
            c.intIn(P + "generation.max-new-tokens", 1, 4096)),
        c.oneOf(P + "zero-shot-templates", ClipEvaluator.Templates.class));
  }
}
