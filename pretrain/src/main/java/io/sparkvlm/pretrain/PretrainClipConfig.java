package io.sparkvlm.pretrain;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.training.TrainingSettings;
import io.sparkvlm.core.model.ClipShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * The {@code pretrain.clip} config section, validated. {@code shape} is the {@code model} preset's; with
 * {@code initFrom} (a CLIP checkpoint to start from) the checkpoint's shape and tokenizer are used instead.
 */
public record PretrainClipConfig(String input, ClipShape shape, Optional<String> initFrom, boolean lockedImage,
    double minCropScale, Optional<Eval> eval, TrainingSettings training) {

  public record Eval(String root, Optional<String> retrieval, List<String> zeroShot, int maxImages) {
    /** The set files, under {@code root}. */
    List<Path> files() {
      List<Path> out = new ArrayList<>();
      retrieval.ifPresent(f -> out.add(new Path(root, f)));
      zeroShot.forEach(f -> out.add(new Path(root, f)));
      return out;
    }
  }

  private static final String P = "pretrain.clip.";
  /** The key of the pairs dataset trained on. */
  static final String INPUT = P + "input";
  /** The key of the held-out sets evaluated during training. */
  static final String EVAL = P + "eval";
  /** The key of the checkpoint a run starts from. */
  static final String INIT_FROM = P + "init-from";

  public static PretrainClipConfig from(ConfigReader c) {
    Optional<Eval> eval = Optional.empty();
    Optional<String> root = c.optionalString(P + "eval.root");
    if (root.isPresent()) {
      eval = Optional.of(new Eval(root.get(), c.optionalString(P + "eval.retrieval"),
          c.stringList(P + "eval.zero-shot"), c.intIn(P + "eval.max-images", 1, 10_000_000)));
    }
    Optional<String> initFrom = c.optionalString(INIT_FROM);
    TrainingSettings training = TrainingSettings.from(c, "pretrain.clip", eval.isPresent());
    if (initFrom.isPresent() && training.tokenizer().isPresent()) {
      throw new io.sparkvlm.core.config.ConfigError(P + "tokenizer", "Config keys '" + P + "tokenizer' and '"
          + INIT_FROM + "' are both set: a run started from a checkpoint keeps that checkpoint's tokenizer");
    }
    return new PretrainClipConfig(c.nonEmptyString(INPUT), ClipShape.preset(c.nonEmptyString(P + "model")),
        initFrom, c.bool(P + "locked-image"), c.doubleIn(P + "augment.min-crop-scale", 0.05, 1), eval, training);
  }
}
