package io.sparkvlm.core.dataset;

import java.util.Locale;

/**
 * What happened to an ingested row. Stored lower-case in the {@code status} column. {@link #SUCCESS} and
 * {@link #FAILED_TO_DOWNLOAD} mean what they mean in img2dataset; the others split img2dataset's catch-alls so that
 * users can see (and count) why rows were lost.
 */
public enum PairStatus {
  /** Downloaded (or read), decoded, validated and resized. */
  SUCCESS,
  /** The input row itself is unusable: a malformed line, no URL, a tar sample without an image. */
  INVALID_INPUT,
  /** Network or HTTP failure: status code, timeout, connection error, response too large, not an image type. */
  FAILED_TO_DOWNLOAD,
  /** The URL or a redirect pointed somewhere a downloader must not go (scheme, private address). */
  REFUSED,
  /** The publisher opted out (X-Robots-Tag: noai and the like). */
  OPTED_OUT,
  /** The bytes are not a decodable image (truncated, HTML, unsupported format). */
  FAILED_TO_DECODE,
  /** Decodable but rejected by a rule: too many pixels (decompression bomb), too small, extreme aspect ratio. */
  FAILED_VALIDATION,
  /** The caption was rejected by a caption rule (e.g. shorter than ingest.caption.min-chars). */
  REJECTED_CAPTION,
  /** A copy (exact or near) of an earlier row; {@code duplicate_of} names it. */
  DUPLICATE,
  /**
   * Filter stage: a text (web or synthetic) the filter judged not to match its image. Kept in the bootstrapped
   * dataset, with its scores, so every input row and every generated text is accounted for; never trained on.
   */
  FILTERED;

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static PairStatus of(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** Failures worth trying again later (--retry-failed): the network may have recovered. */
  public boolean retryable() {
    return this == FAILED_TO_DOWNLOAD;
  }
}
