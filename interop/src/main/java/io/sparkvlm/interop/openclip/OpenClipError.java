package io.sparkvlm.interop.openclip;

/** An OpenCLIP config or state dict that spark-vlm cannot map; the message names the field or tensor. */
public class OpenClipError extends RuntimeException {
  public OpenClipError(String message) {
    super(message);
  }
}
