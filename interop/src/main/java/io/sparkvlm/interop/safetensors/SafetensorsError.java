package io.sparkvlm.interop.safetensors;

/** A malformed safetensors file, or a tensor that is not what it should be; the message names the part. */
public class SafetensorsError extends RuntimeException {
  public SafetensorsError(String message) {
    super(message);
  }

  public SafetensorsError(String message, Throwable cause) {
    super(message, cause);
  }
}
