package io.sparkvlm.instruct;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.model.ImageInput;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.training.TrainingSettings;
import java.util.Optional;

/** The {@code instruct} config section (LLaVA stage 2), validated. */
record InstructConfig(StartingPoint start, String root, Optional<String> conversations, Optional<Vqa> vqa,
    Optional<Captions> captions, VisionLanguageModel.Trainable trainable, ImageInput imageInput, TrainingSettings training) {
  static final String SECTION = "instruct";

  /** Where stage 2 starts ({@code instruct.start}). */
  sealed interface StartingPoint {
    /** The stage-1 checkpoint ({@code instruct.from}): its shape, connector and tokenizer carry over (LLaVA). */
    record StageOne(String from) implements StartingPoint {}

    /**
     * The model stage 1 would have made ({@code align.clip}, {@code align.lm} and align's vision settings) with its
     * connector freshly initialised: LLaVA's ablation "stage 2 without stage 1".
     */
    record Towers(String clip, String lm, VisionSettings vision) implements StartingPoint {}
  }

  /** The config values of {@code instruct.start}. */
  enum Start { STAGE_1, TOWERS }

  /** What trains in stage 2: connector and LM (LLaVA), or every layer. */
  enum Trainable { CONNECTOR_LM, ALL }

  /** Short-answer VQA mixed in (LLaVA-1.5): VQA v2 questions and annotations, COCO-format images, the instruction. */
  record Vqa(String questions, String annotations, String images, String instruction) {}

  /**
   * Brief captions mixed in (LLaVA-1.5's TextCaps part): a COCO captions file, the prompt each is asked with, at most
   * {@code perImage} captions of each image (in the file's order).
   */
  record Captions(String file, String prompt, int perImage) {}

  static InstructConfig from(ConfigReader c) {
    String p = SECTION + ".";
    Optional<Vqa> vqa = c.optionalString(p + "vqa.questions").map(q -> new Vqa(q,
        c.nonEmptyString(p + "vqa.annotations"), c.nonEmptyString(p + "vqa.images"),
        c.string(p + "vqa.instruction")));
    Optional<Captions> captions = c.optionalString(p + "captions.file").map(f -> new Captions(f,
        c.nonEmptyString(p + "captions.prompt"), c.intIn(p + "captions.per-image", 1, 1000)));
    Trainable t = c.oneOf(p + "trainable", Trainable.class);
    StartingPoint start = switch (c.oneOf(p + "start", Start.class)) {
      case STAGE_1 -> new StartingPoint.StageOne(c.nonEmptyString(p + "from"));
      case TOWERS -> new StartingPoint.Towers(c.nonEmptyString(AlignConfig.SECTION + ".clip"),
          c.nonEmptyString(AlignConfig.SECTION + ".lm"), VisionSettings.from(c, AlignConfig.SECTION));
    };
    return new InstructConfig(start, c.nonEmptyString(p + "root"),
        c.optionalString(p + "conversations"), vqa, captions,
        t == Trainable.ALL ? VisionLanguageModel.Trainable.ALL : VisionLanguageModel.Trainable.INSTRUCT,
        c.oneOf(p + "image-input", ImageInput.class), TrainingSettings.from(c, SECTION, false));
  }
}
