package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.Connector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Each preset's size for each model kind, computed from the shapes: parameters, forward and training FLOPs per
 * sample (training = 3 x forward, the usual estimate behind MFU). The vision-language model is LLaVA-1.5's layout
 * (mlp2x_gelu); a matching-model sample is one (image, text) row.
 */
public final class ModelSizes {
  private ModelSizes() {}

  public record Size(String preset, String kind, String model, long params, long forwardFlops) {
    public long trainingFlops() {
      return 3 * forwardFlops;
    }
  }

  public static List<Size> of(String preset) {
    ClipShape clip = ClipShape.preset(preset);
    VisionLanguageModel.Shape vlm = VisionLanguageModel.Shape.of(clip, new Connector.Mlp2xGelu());
    MatchingModel.Shape itm = MatchingModel.Shape.of(clip);
    LanguageModel.Shape lm = vlm.lm();
    return List.of(
        new Size(preset, "clip", clip.name(), clip.params(), clip.forwardFlopsPerSample()),
        new Size(preset, "lm", lm.name(), lm.params(), lm.forwardFlopsPerSample()),
        new Size(preset, "vlm", vlm.name() + " (mlp2x_gelu)", vlm.params(), vlm.forwardFlopsPerSample()),
        new Size(preset, "itm", itm.name(), itm.params(), itm.forwardFlopsPerSample()));
  }

  /** A text table over every preset. */
  public static List<String> table() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-10s %-5s %-28s %14s %18s %19s", "preset", "kind", "model", "parameters",
        "forward GFLOP/smp", "training GFLOP/smp"));
    for (String preset : ClipShape.presets()) {
      for (Size s : of(preset)) {
        lines.add(String.format(Locale.ROOT, "%-10s %-5s %-28s %,14d %18.4f %19.4f", s.preset(), s.kind(),
            s.model(), s.params(), s.forwardFlops() / 1e9, s.trainingFlops() / 1e9));
      }
    }
    return lines;
  }
}
