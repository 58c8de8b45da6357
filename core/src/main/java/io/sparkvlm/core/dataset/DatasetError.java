package io.sparkvlm.core.dataset;

/** A dataset a stage cannot use or cannot write: missing, incomplete, of an unknown schema, or in the way. */
public final class DatasetError extends RuntimeException {
  public DatasetError(String message) {
    super(message);
  }

  public DatasetError(String message, Throwable cause) {
    super(message, cause);
  }
}
