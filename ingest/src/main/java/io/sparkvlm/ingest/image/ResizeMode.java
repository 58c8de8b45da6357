package io.sparkvlm.ingest.image;

/** img2dataset's resize modes (config values no, border, keep-ratio, keep-ratio-largest, center-crop). */
public enum ResizeMode {
  /** Keep the image as decoded. */
  NO,
  /** Larger side to the target size, then pad to a square with white (img2dataset's default and colour). */
  BORDER,
  /** Smaller side to the target size, keeping the aspect ratio. */
  KEEP_RATIO,
  /** Larger side to the target size, keeping the aspect ratio. */
  KEEP_RATIO_LARGEST,
  /** Smaller side to the target size, then the central square. */
  CENTER_CROP
}
