package io.sparkvlm.synth;

import java.util.List;

/** The world's splits. */
public final class Splits {
  private Splits() {}

  /** Large and noisy: what ingest downloads from the simulated web. */
  public static final String WEB = "web";
  /** Small and clean ("human-annotated"): what BLIP fine-tunes its captioner and filter on. */
  public static final String SEED = "seed";
  /** Scenes with LLaVA-format instruction conversations. */
  public static final String INSTRUCT = "instruct";
  /** Held out for evaluation, including colour-shape combinations never seen in training. */
  public static final String TEST = "test";

  public static final List<String> ALL = List.of(WEB, SEED, INSTRUCT, TEST);
}
