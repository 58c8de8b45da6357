package io.sparkvlm.core.text;

import java.util.List;

/** The special tokens every spark-vlm tokenizer has, with fixed ids 0..6. */
public final class SpecialTokens {
  private SpecialTokens() {}

  public static final String PAD = "<|pad|>";
  public static final String START_OF_TEXT = "<|startoftext|>";
  public static final String END_OF_TEXT = "<|endoftext|>";
  /** Where image features are spliced in (LLaVA's {@code <image>}). */
  public static final String IMAGE = "<image>";
  public static final String SYSTEM = "<|system|>";
  public static final String USER = "<|user|>";
  public static final String ASSISTANT = "<|assistant|>";

  /** In id order. */
  public static final List<String> ALL = List.of(PAD, START_OF_TEXT, END_OF_TEXT, IMAGE, SYSTEM, USER, ASSISTANT);
}
