package io.sparkvlm.training.averaging;

import java.io.Serializable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where every worker starts an averaging round: the driver's averaged parameters and optimiser state, and its
 * iteration and epoch counts (the learning-rate schedule and Adam's bias correction read the iteration). The
 * network's configuration travels once per run, not per round.
 */
record RoundStart(FlatArray params, FlatArray updater, int iteration, int epoch) implements Serializable {

  static RoundStart of(ComputationGraph net) {
    INDArray state = net.getUpdater().getStateViewArray();
    return new RoundStart(FlatArray.of(net.params()), state == null ? null : FlatArray.of(state),
        net.getConfiguration().getIterationCount(), net.getConfiguration().getEpochCount());
  }

  /** Copies this start into {@code net}: parameters, optimiser state, iteration and epoch count. */
  void loadInto(ComputationGraph net) {
    params.assignTo(net.params());
    if (updater != null) {
      updater.assignTo(net.getUpdater().getStateViewArray());
    }
    net.getConfiguration().setIterationCount(iteration);
    net.getConfiguration().setEpochCount(epoch);
  }
}
