package io.sparkvlm.core.model.training;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * OpenCLIP's learning-rate schedule ({@code cosine_lr}): linear warmup from {@code peak / warmup} to {@code peak}
 * over {@code warmup} steps, then a half cosine from {@code peak} down to 0 at {@code total} steps; 0 after that.
 * Indexed by optimiser step (DL4J's iteration count), which the model configuration carries across checkpoints,
 * so a resumed run continues the schedule where it stopped.
 */
public final class WarmupCosineSchedule implements ISchedule {
  private final double peak;
  private final int warmup;
  private final int total;

  public WarmupCosineSchedule(@JsonProperty("peak") double peak, @JsonProperty("warmup") int warmup,
      @JsonProperty("total") int total) {
    if (!(peak > 0) || warmup < 0 || total <= 0 || warmup > total) {
      throw new IllegalArgumentException("schedule needs peak > 0 and 0 <= warmup <= total, total > 0; got peak="
          + peak + " warmup=" + warmup + " total=" + total);
    }
    this.peak = peak;
    this.warmup = warmup;
    this.total = total;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    if (iteration < warmup) {
      return peak * (iteration + 1) / warmup;
    }
    if (iteration >= total) {
      return 0;
    }
    int decaySteps = total - warmup;
    double progress = (double) (iteration - warmup) / decaySteps;
    return 0.5 * (1 + Math.cos(Math.PI * progress)) * peak;
  }

  @Override
  public ISchedule clone() {
    return new WarmupCosineSchedule(peak, warmup, total);
  }

  public double getPeak() {
    return peak;
  }

  public int getWarmup() {
    return warmup;
  }

  public int getTotal() {
    return total;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WarmupCosineSchedule w && w.peak == peak && w.warmup == warmup && w.total == total;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(peak) * 31 * 31 + warmup * 31 + total;
  }
}
