package io.sparkvlm.core.model.layers;

/**
 * Which of a ViT's output tokens [class token, patch tokens] a connector reads (LLaVA's
 * {@code mm_vision_select_feature}), and how.
 */
public enum VisionFeatures {
  /** The patch tokens only (LLaVA's default, {@code patch}). */
  PATCH,
  /** The class token and the patch tokens ({@code cls_patch}). */
  CLS_PATCH,
  /**
   * The patch tokens less their image's mean patch token, channel by channel ({@code patch-centred}): how each patch
   * differs from the rest of its image. For towers pooled by the patches' maximum ({@code vision.pool = patch-max}):
   * their patch tokens share a large per-image component that hides the few patches the maximum reads
   * (docs/stages/instruct-tune.md). A class-token tower loses by it: its patches carry the image-wide part.
   */
  PATCH_CENTRED;

  /** Tokens read from a ViT with {@code patches} patches. */
  public int tokens(int patches) {
    return this == CLS_PATCH ? patches + 1 : patches;
  }

  /** Whether the tokens read are centred on their image's mean. */
  public boolean centred() {
    return this == PATCH_CENTRED;
  }
}
