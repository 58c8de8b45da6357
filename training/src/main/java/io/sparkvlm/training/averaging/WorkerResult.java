package io.sparkvlm.training.averaging;

import java.io.Serializable;

/**
 * What workers send back after a round, and what the driver sums them into: parameters and optimiser state (summed
 * over workers), the summed loss of every minibatch, and where the workers' time went.
 *
 * @param workers how many workers' results are summed here
 * @param minibatches minibatches trained, over those workers
 * @param lossSum the sum of their losses
 * @param trainSeconds seconds in the network's fit, summed over workers
 * @param dataSeconds seconds waiting for minibatches (reading, decoding, building), summed over workers
 */
record WorkerResult(FlatArray params, FlatArray updater, int workers, int minibatches, double lossSum,
    double trainSeconds, double dataSeconds) implements Serializable {

  /** The two sums; the arrays are summed into this result's (a reduce may do that: they are its own copies). */
  WorkerResult plus(WorkerResult other) {
    return new WorkerResult(params.addInPlace(other.params),
        updater == null ? null : updater.addInPlace(other.updater), workers + other.workers,
        minibatches + other.minibatches, lossSum + other.lossSum, trainSeconds + other.trainSeconds,
        dataSeconds + other.dataSeconds);
  }
}
