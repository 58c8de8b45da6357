package io.sparkvlm.core.dataset;

/** Column names shared by every stage's datasets. Stage-specific schemas add theirs beside their schema. */
public final class Columns {
  private Columns() {}

  /** Stable row key, unique within a dataset. */
  public static final String KEY = "key";
  /** Row outcome, e.g. {@code success} or {@code failed_to_download} (img2dataset's convention). */
  public static final String STATUS = "status";
  /** Why a row failed; null on success. */
  public static final String ERROR_MESSAGE = "error_message";
}
