package io.sparkvlm.core.checkpoint;

/** A checkpoint that cannot be written or read: in the way, incomplete or missing. */
public final class CheckpointError extends RuntimeException {
  public CheckpointError(String message) {
    super(message);
  }

  public CheckpointError(String message, Throwable cause) {
    super(message, cause);
  }
}
