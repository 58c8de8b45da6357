package io.sparkvlm.core.dataset;

/**
 * The detection-instances contract: COCO's instances format ({@code images}, {@code categories},
 * {@code annotations} with {@code bbox} [x, y, width, height]) with what open-vocabulary evaluation adds, written by
 * {@code vlm synth} and read by {@code vlm eval detection}:
 * <ul>
 *   <li>each annotation's {@link #COLOUR} and {@link #COMBINATION} (the query that names it, e.g. "red star");</li>
 *   <li>a top-level {@link #COMBINATIONS} list: {@code name}, {@code category_id}, {@link #COLOUR},
 *       {@link #BOXED_IN_TRAINING} (a training box of it exists) and {@link #HELD_OUT} (in no training image).</li>
 * </ul>
 * Detection results may name the combination they were asked for in the same {@link #COMBINATION} key.
 */
public final class DetectionInstances {
  public static final String COLOUR = "colour";
  public static final String COMBINATION = "combination";
  public static final String COMBINATIONS = "combinations";
  public static final String BOXED_IN_TRAINING = "boxed_in_training";
  public static final String HELD_OUT = "held_out";

  private DetectionInstances() {}
}
