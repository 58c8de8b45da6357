package io.sparkvlm.training.averaging;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One worker's part of an averaging round, as a Spark task over its partition: each element is one minibatch,
 * trained in order on a warm network of this run ({@link WarmNetworks}) that starts from the round's broadcast
 * parameters, optimiser state and iteration count. Returns the worker's parameters, optimiser state, loss sum and
 * timings, which the driver sums and averages; an empty partition returns nothing.
 */
final class TrainRound implements FlatMapFunction<Iterator<MultiDataSet>, WorkerResult> {
  private static final long serialVersionUID = 1L;

  private final String run;
  private final Broadcast<ComputationGraphConfiguration> configuration;
  private final Broadcast<RoundStart> start;
  private final List<TrainingListener> listeners;

  TrainRound(String run, Broadcast<ComputationGraphConfiguration> configuration, Broadcast<RoundStart> start,
      List<TrainingListener> listeners) {
    this.run = run;
    this.configuration = configuration;
    this.start = start;
    this.listeners = listeners;
  }

  @Override
  public Iterator<WorkerResult> call(Iterator<MultiDataSet> minibatches) {
    long dataNanos = 0;
    long trainNanos = 0;
    long t = System.nanoTime();
    if (!minibatches.hasNext()) {
      return List.<WorkerResult>of().iterator();
    }
    dataNanos += System.nanoTime() - t;
    ComputationGraph net = WarmNetworks.perJvm().take(run).orElseGet(this::build);
    start.getValue().loadInto(net);
    net.setListeners(new ArrayList<>(listeners));
    double lossSum = 0;
    int count = 0;
    boolean more = true;
    while (more) {
      t = System.nanoTime();
      MultiDataSet minibatch = minibatches.next();
      long fitStart = System.nanoTime();
      net.fit(minibatch);
      lossSum += net.score();
      count++;
      long fitEnd = System.nanoTime();
      more = minibatches.hasNext();                     // the next minibatch is read and built here
      dataNanos += (fitStart - t) + (System.nanoTime() - fitEnd);
      trainNanos += fitEnd - fitStart;
    }
    Nd4j.getExecutioner().commit();
    INDArray updater = net.getUpdater().getStateViewArray();
    // copies: the network goes back to the pool and may train the next round before this result is sent
    WorkerResult result = new WorkerResult(FlatArray.of(net.params()),
        updater == null ? null : FlatArray.of(updater), 1, count, lossSum, trainNanos / 1e9, dataNanos / 1e9);
    WarmNetworks.perJvm().giveBack(run, net);
    return List.of(result).iterator();
  }

  /** A new network of the run's configuration (the first task of this run in this JVM). */
  private ComputationGraph build() {
    ComputationGraph net = new ComputationGraph(configuration.getValue().clone());
    net.init();
    return net;
  }
}
