package io.sparkvlm.training;

import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.training.Optimiser;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * What one model kind supplies to the shared {@link TrainingRun}: its architecture and graph, how a minibatch of
 * items becomes a MultiDataSet on an executor, and what it evaluates on the driver. Everything else (data order,
 * slices, parameter averaging, schedule, logging, metrics log, checkpoints and resume) is the loop's.
 *
 * @param <T> one training item, keyed so every epoch's order is a function of (seed, epoch, key)
 */
public interface Trainer<T extends EpochBatches.Keyed> {

  /** Builds one minibatch on an executor from its items, for an epoch (serialised to the executors). */
  @FunctionalInterface
  interface BatchBuilder<T> extends Serializable {
    MultiDataSet build(List<T> items, int epoch);
  }

  /** What the model is, as checkpoints record it. */
  ModelArchitecture architecture();

  /** A new model (initial weights included) trained by {@code optimiser}, whose schedule spans the run. */
  ComputationGraph newModel(Optimiser optimiser);

  /** How items become minibatches on the executors. */
  BatchBuilder<T> batches();

  /** Listeners the training master ships to the workers (e.g. the logit-scale clamp). */
  default List<TrainingListener> listeners() {
    return List.of();
  }

  /** Values for the progress line and the metrics log beside loss and learning rate. */
  default Map<String, Double> progress(ComputationGraph model, double loss) {
    return Map.of();
  }

  /** Held-out evaluation on the driver at evaluation steps; empty when the model kind has none. */
  default Map<String, Double> evaluate(ComputationGraph model) {
    return Map.of();
  }

  /** Whether an evaluation metric appears in the eval lines and the run's summary (all by default). */
  default boolean headline(String metric) {
    return true;
  }

  /** Checkpoints (or other models) the new model starts from, recorded as parents in every checkpoint. */
  default List<String> parents() {
    return List.of();
  }
}
