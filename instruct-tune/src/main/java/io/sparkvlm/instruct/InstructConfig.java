package io.sparkvlm.instruct;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.model.ImageInput;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.training.TrainingSettings;
import java.util.Optional;

/** The {@code instruct} config section (LLaVA stage 2), validated. */
record InstructConfig(String from, String root, Optional<String> conversations, Optional<Vqa> vqa,
    VisionLanguageModel.Trainable trainable, ImageInput imageInput, TrainingSettings training) {
  static final String SECTION = "instruct";

  /** What trains in stage 2: connector and LM (LLaVA), or every layer. */
  enum Trainable { CONNECTOR_LM, ALL }

  /** Short-answer VQA mixed in (LLaVA-1.5): VQA v2 questions and annotations, COCO-format images, the instruction. */
  record Vqa(String questions, String annotations, String images, String instruction) {}

  static InstructConfig from(ConfigReader c) {
    String p = SECTION + ".";
    Optional<Vqa> vqa = c.optionalString(p + "vqa.questions").map(q -> new Vqa(q,
        c.nonEmptyString(p + "vqa.annotations"), c.nonEmptyString(p + "vqa.images"),
        c.string(p + "vqa.instruction")));
    Trainable t = c.oneOf(p + "trainable", Trainable.class);
    return new InstructConfig(c.nonEmptyString(p + "from"), c.nonEmptyString(p + "root"),
        c.optionalString(p + "conversations"), vqa,
        t == Trainable.ALL ? VisionLanguageModel.Trainable.ALL : VisionLanguageModel.Trainable.INSTRUCT,
        c.oneOf(p + "image-input", ImageInput.class), TrainingSettings.from(c, SECTION, false));
  }
}
