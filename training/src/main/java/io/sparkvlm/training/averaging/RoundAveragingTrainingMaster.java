package io.sparkvlm.training.averaging;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * DL4J Spark's synchronous parameter averaging, one round per {@code fitMultiDataSet} call and without the fixed
 * costs DL4J pays in each round. The caller hands over exactly one round: an RDD of one partition per worker,
 * each partition that worker's minibatches in training order (see {@link RoundPartitioner}). The round's
 * parameters and optimiser state are broadcast as flat Java arrays ({@link RoundStart}), every worker trains its
 * partition on a warm network ({@link TrainRound}), and the results are tree-reduced into sums that the driver
 * divides by the number of workers: the mean of the parameters and of the optimiser state, as DL4J's
 * {@link ParameterAveragingTrainingMaster} with {@code saveUpdater(true)} computes them.
 *
 * <p>What it leaves out, against DL4J's master with {@code RDDTrainingApproach.Direct}: persisting the data and
 * counting it (the caller knows its round), the random split into rounds and the repartition of each (a shuffle of
 * serialised minibatches per round), building a new network per worker and round, and ND4J's element-wise
 * serialisation of the arrays. Only {@link SparkComputationGraph#fitMultiDataSet(JavaRDD)} is supported.
 */
public final class RoundAveragingTrainingMaster extends ParameterAveragingTrainingMaster {
  /** Levels of the tree that sums the workers' results (DL4J's default aggregation depth). */
  static final int AGGREGATION_DEPTH = 2;

  private Broadcast<ComputationGraphConfiguration> configuration;
  private final RoundTimes times = new RoundTimes();

  /**
   * @param workers partitions per round, each trained by one task
   * @param averagingFrequency minibatches per worker and round (what the driver's iteration count advances by)
   * @param batchSizePerWorker examples per minibatch, as DL4J records it
   */
  public RoundAveragingTrainingMaster(int workers, int averagingFrequency, int batchSizePerWorker) {
    super(new Builder(workers, batchSizePerWorker)
        .batchSizePerWorker(batchSizePerWorker)
        .averagingFrequency(averagingFrequency)
        .saveUpdater(true)
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .storageLevel(null));
  }

  /** The key of this run's networks in every executor's {@link WarmNetworks}. */
  public String runId() {
    return trainingMasterUID;
  }

  /** Where the rounds' time went so far. */
  public RoundTimes times() {
    return times;
  }

  @Override
  public void executeTrainingMDS(SparkComputationGraph graph, JavaRDD<MultiDataSet> round) {
    if (round.getNumPartitions() != numWorkers) {
      throw new IllegalArgumentException("An averaging round needs one partition per worker: " + numWorkers
          + " workers, " + round.getNumPartitions() + " partitions");
    }
    long t0 = System.nanoTime();
    ComputationGraph net = graph.getNetwork();
    JavaSparkContext sc = graph.getSparkContext();
    if (configuration == null) {
      configuration = sc.broadcast(net.getConfiguration());
    }
    Broadcast<RoundStart> start = sc.broadcast(RoundStart.of(net));
    long t1 = System.nanoTime();
    try {
      WorkerResult sum = round.mapPartitions(new TrainRound(trainingMasterUID, configuration, start,
          listeners == null ? List.of() : List.copyOf(listeners))).treeReduce(WorkerResult::plus, AGGREGATION_DEPTH);
      long t2 = System.nanoTime();
      sum.params().divideInPlace(sum.workers()).assignTo(net.params());
      if (sum.updater() != null) {
        sum.updater().divideInPlace(sum.workers()).assignTo(net.getUpdater().getStateViewArray());
      }
      graph.setScore(sum.lossSum() / sum.minibatches());
      net.getConfiguration().setIterationCount(net.getConfiguration().getIterationCount() + averagingFrequency);
      long t3 = System.nanoTime();
      times.add(sum, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    } finally {
      start.destroy(false);
    }
  }

  /** Drops this run's networks from the driver JVM's pool and its configuration's broadcast. */
  public void finish() {
    WarmNetworks.perJvm().drop(trainingMasterUID);
    if (configuration != null) {
      configuration.destroy(false);
      configuration = null;
    }
  }
}
