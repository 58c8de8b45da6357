package io.sparkvlm.eval.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.model.ImageInput;
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
  /** How a vision-language model is asked; {@code imageInput} BLANK is the blind baseline (ImageInput). */
  public record Generation(String captionPrompt, String vqaInstruction, int maxNewTokens, ImageInput imageInput) {}

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
          + "zero-shot, probe-train, captions, vqa-questions, vqa-annotations, vqa-images}: " + e.getMessage(), e);
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String key = P + "suites[" + i + "]";
      ConfigReader s = new ConfigReader(list.get(i));
      if (!s.isSet("root")) {
        throw new ConfigError(key, "Config key '" + key + ".root' must be set");
      }
      String root = s.nonEmptyString("root");
      if (list.get(i).root().keySet().equals(Set.of("root"))) {
        // a suite given by its folder alone: the folder's suite.json lists its files
        suites.add(suite(root, suiteFile(root, key), root + "/" + SUITE_FILE, names));
      } else {
        suites.add(suite(root, s, key, names));
      }
    }
    return new EvalModelConfig(c.nonEmptyString(P + "checkpoint"), c.nonEmptyString(P + "report"), suites,
        c.intIn(P + "max-images", 1, 10_000_000), c.intIn(P + "linear-probe-max-classes", 0, 10_000),
        c.doubleIn(P + "linear-probe-reg", 0, 100), c.intIn(P + "gallery", 0, 1000),
        c.intIn(P + "images-per-task", 1, 1_000_000),
        new Generation(c.nonEmptyString(P + "generation.caption-prompt"), c.string(P + "generation.vqa-instruction"),
            c.intIn(P + "generation.max-new-tokens", 1, 4096),
            c.oneOf(P + "generation.image-input", ImageInput.class)),
        c.oneOf(P + "zero-shot-templates", ClipEvaluator.Templates.class));
  }

  /** The file a folder lists its evaluation sets in ({@link ClipEvalSets#SUITE_FILE}). */
  public static final String SUITE_FILE = io.sparkvlm.core.clipeval.ClipEvalSets.SUITE_FILE;

  private static ConfigReader suiteFile(String root, String key) {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(root, SUITE_FILE);
    String json;
    try {
      json = new String(io.sparkvlm.core.io.HadoopFiles.readAll(file,
          io.sparkvlm.core.io.HadoopConfs.fromSystemProperties()), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new ConfigError(key, "Config key '" + key + "' gives only a root, so its files are listed in " + file
          + ", which cannot be read (" + e.getMessage() + "); list the suite's files in the config instead");
    }
    try {
      return new ConfigReader(com.typesafe.config.ConfigFactory.parseString(json,
          com.typesafe.config.ConfigParseOptions.defaults().setSyntax(com.typesafe.config.ConfigSyntax.JSON))
          .withValue("root", com.typesafe.config.ConfigValueFactory.fromAnyRef(root)));
    } catch (ConfigException e) {
      throw new ConfigError(key, file + " is not a JSON object of suite files: " + e.getMessage(), e);
    }
  }

  /** One suite's files, checked: known keys only, VQA files together, file names unique over all suites. */
  private static Suite suite(String root, ConfigReader s, String key, Set<String> names) {
    for (String k : s.config().root().keySet()) {
      if (!SUITE_KEYS.contains(k)) {
        throw new ConfigError(key, "Unknown config key '" + key + "." + k + "': a suite has "
            + String.join(", ", new java.util.TreeSet<>(SUITE_KEYS)));
      }
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
    return new Suite(root, s.optionalString("retrieval"), zeroShot, probeTrain, captions, vqa);
  }
}
