package io.sparkvlm.core.model.layers;

/**
 * Which of a ViT's output tokens [class token, patch tokens] a connector reads (LLaVA's
 * {@code mm_vision_select_feature}).
 */
public enum VisionFeatures {
  /** The patch tokens only (LLaVA's default, {@code patch}). */
  PATCH,
  /** The class token and the patch tokens ({@code cls_patch}). */
  CLS_PATCH;

  /** Tokens read from a ViT with {@code patches} patches. */
  public int tokens(int patches) {
    return this == PATCH ? patches : patches + 1;
  }
}
