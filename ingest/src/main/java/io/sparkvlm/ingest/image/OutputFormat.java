package io.sparkvlm.ingest.image;

/**
 * The format ingest stores images in ({@code ingest.image.output-format}); its {@link #value()} is what the pairs
 * dataset's {@code format} column holds.
 */
public enum OutputFormat {
  /** Baseline JPEG at {@code ingest.image.jpeg-quality}, 4:2:0, as img2dataset's default. */
  JPEG("jpeg"),
  /** Lossless PNG. */
  PNG("png");

  private final String value;

  OutputFormat(String value) {
    this.value = value;
  }

  /** The {@code format} column's value for images stored in this format. */
  public String value() {
    return value;
  }
}
