package io.sparkvlm.core.model.training;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * AdamW as the CLIP and LLaVA recipes use it: Adam with decoupled weight decay (DL4J's {@code WeightDecay} with
 * the learning rate applied, after the updater: {@code p -= lr * (adam_step + weightDecay * p)}), on a
 * {@link WarmupCosineSchedule}. Which parameters decay is each layer's choice (weight matrices only, see
 * {@code ParamSpec#decayed}). Gradient clipping is DL4J's per-layer L2 clipping
 * ({@code ClipL2PerLayer}): DL4J has no global-norm clipping; 0 turns it off.
 */
public record Optimiser(double learningRate, int warmupSteps, int totalSteps, double beta1, double beta2,
    double epsilon, double weightDecay, double gradientClip) {

  public Optimiser {
    if (weightDecay < 0 || gradientClip < 0) {
      throw new IllegalArgumentException("weight decay and gradient clip must be >= 0");
    }
  }

  /** A fixed-rate Adam without decay or clipping (tests, benchmarks). */
  public static Optimiser adam(double learningRate) {
    return new Optimiser(learningRate, 0, Integer.MAX_VALUE, 0.9, 0.999, 1e-8, 0, 0);
  }

  public IUpdater updater() {
    Adam adam = new Adam(learningRate, beta1, beta2, epsilon);
    if (totalSteps != Integer.MAX_VALUE) {
      adam.setLrAndSchedule(learningRate, new WarmupCosineSchedule(learningRate, warmupSteps, totalSteps));
    }
    return adam;
  }

  /** The learning rate the updater applies at {@code step} (0-based): the schedule's value, or the fixed rate. */
  public double learningRateAt(int step) {
    return totalSteps == Integer.MAX_VALUE ? learningRate
        : new WarmupCosineSchedule(learningRate, warmupSteps, totalSteps).valueAt(step, 0);
  }

  /** Sets updater, weight decay and clipping on a network builder. */
  public NeuralNetConfiguration.Builder applyTo(NeuralNetConfiguration.Builder b) {
    b.updater(updater());
    if (weightDecay > 0) {
      b.weightDecay(weightDecay, true);
    }
    if (gradientClip > 0) {
      b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(gradientClip);
    }
    return b;
  }
}
