package io.sparkvlm.pretrain;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.training.TrainingSettings;
import io.sparkvlm.core.model.LanguageModel;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/** The {@code pretrain.lm} config section, validated. */
public record PretrainLmConfig(String input, Optional<String> instructions, LanguageModel.Shape shape,
    Optional<Eval> eval, TrainingSettings training) {

  public record Eval(String root, String captions, int maxTexts) {
    /** The held-out captions file, under {@code root}. */
    Path file() {
      return new Path(root, captions);
    }
  }

  private static final String P = "pretrain.lm.";
  /** The key of the pairs dataset whose captions are the corpus. */
  static final String INPUT = P + "input";
  /** The key of the held-out captions evaluated during training. */
  static final String EVAL = P + "eval";
  /** The key of the LLaVA conversation file mixed into the corpus. */
  static final String INSTRUCTIONS = P + "instructions";

  public static PretrainLmConfig from(ConfigReader c) {
    LanguageModel.Shape shape = LanguageModel.Shape.preset(c.nonEmptyString(P + "model"));
    Optional<Eval> eval = c.optionalString(P + "eval.root").map(root -> new Eval(root,
        c.nonEmptyString(P + "eval.captions"), c.intIn(P + "eval.max-texts", 1, 10_000_000)));
    return new PretrainLmConfig(c.nonEmptyString(INPUT), c.optionalString(INSTRUCTIONS), shape, eval,
        TrainingSettings.from(c, "pretrain.lm", eval.isPresent()));
  }
}
