package io.sparkvlm.training.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.testing.SparkTestSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The round master against parameter averaging done by hand: every worker copies the driver's network, fits its
 * minibatches in order, and the driver takes the mean of the parameters and of the Adam state. Its learning rate
 * changes with the iteration count, so a worker that started a round from the wrong count would differ too.
 */
class RoundAveragingTrainingMasterTest {
  static final int WORKERS = 2;
  static final int AVERAGING = 3;

  static ComputationGraph network() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
        .updater(new Adam(new MapSchedule(ScheduleType.ITERATION, Map.of(0, 3e-2, 4, 1e-2, 8, 3e-3))))
        .graphBuilder().addInputs("in")
        .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(2)
            .activation(Activation.IDENTITY).build(), "hidden")
        .setOutputs("out").build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  /** Round {@code round}'s minibatches, worker by worker, {@link #AVERAGING} each. */
  static List<List<MultiDataSet>> round(int round) {
    List<List<MultiDataSet>> out = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      List<MultiDataSet> mine = new ArrayList<>();
      for (int i = 0; i < AVERAGING; i++) {
        Nd4j.getRandom().setSeed(1000L * round + 10L * w + i);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 8, 2);
        mine.add(new org.nd4j.linalg.dataset.MultiDataSet(x, y));
      }
      out.add(mine);
    }
    return out;
  }

  /** Parameter averaging by hand: each worker on a copy of {@code start}, then the means. */
  static ComputationGraph byHand(ComputationGraph start, List<List<MultiDataSet>> perWorker) {
    INDArray params = null;
    INDArray updater = null;
    for (List<MultiDataSet> mine : perWorker) {
      ComputationGraph worker = start.clone();
      // clone() starts the copy's iteration count at 0; a worker continues the driver's (Adam and the schedule read it)
      worker.getConfiguration().setIterationCount(start.getConfiguration().getIterationCount());
      mine.forEach(worker::fit);
      params = params == null ? worker.params().dup() : params.addi(worker.params());
      INDArray state = worker.getUpdater().getStateViewArray();
      updater = updater == null ? state.dup() : updater.addi(state);
    }
    ComputationGraph averaged = start.clone();
    averaged.setParams(params.divi(perWorker.size()));
    averaged.getUpdater().setStateViewArray(updater.divi(perWorker.size()));
    averaged.getConfiguration().setIterationCount(start.getConfiguration().getIterationCount() + AVERAGING);
    return averaged;
  }

  static JavaRDD<MultiDataSet> rdd(JavaSparkContext sc, List<List<MultiDataSet>> perWorker) {
    List<MultiDataSet> all = new ArrayList<>();
    perWorker.forEach(all::addAll);
    return sc.parallelize(all, perWorker.size());                        // partition w: worker w's minibatches
  }

  @Test
  void threeRoundsEqualAveragingByHandAndReuseTheWorkersNetworks() {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSessions.local().sparkContext());
    ComputationGraph expected = network();
    RoundAveragingTrainingMaster master = new RoundAveragingTrainingMaster(WORKERS, AVERAGING, 8);
    SparkComputationGraph spark = new SparkComputationGraph(sc, network(), master);
    for (int r = 0; r < 3; r++) {
      List<List<MultiDataSet>> data = round(r);
      expected = byHand(expected, data);
      spark.fitMultiDataSet(rdd(sc, data));
      ComputationGraph got = spark.getNetwork();
      assertThat(got.params().sub(expected.params()).amaxNumber().doubleValue()).as("parameters, round %d", r)
          .isLessThan(1e-12);
      assertThat(got.getUpdater().getStateViewArray().sub(expected.getUpdater().getStateViewArray())
          .amaxNumber().doubleValue()).as("Adam state, round %d", r).isLessThan(1e-12);
      assertThat(got.getConfiguration().getIterationCount()).isEqualTo(AVERAGING * (r + 1));
      // local[2]: the executors are this JVM; one warm network per task that ran at once, kept between rounds
      assertThat(WarmNetworks.perJvm().idle(master.runId())).isBetween(1, WORKERS);
    }
    assertThat(expected.params().sub(network().params()).amaxNumber().doubleValue()).as("training moved")
        .isGreaterThan(1e-3);
    master.finish();
    assertThat(WarmNetworks.perJvm().idle(master.runId())).isZero();
  }

  /**
   * Why the round master carries the iteration count itself: DL4J's parameter-averaging worker builds its network
   * from {@code configuration.clone()}, and the clone starts at iteration 0, so under DL4J's own master every round
   * ran the learning-rate schedule (and Adam's bias correction) from its first step: with warmup, a fraction of the
   * configured rate, without its decay. If this fails, DL4J copies the count now.
   */
  @Test
  void dl4jsConfigurationCloneRestartsTheIterationCount() {
    ComputationGraph net = network();
    net.getConfiguration().setIterationCount(7);
    assertThat(net.getConfiguration().clone().getIterationCount()).isZero();
  }

  @Test
  void refusesARoundWithoutOnePartitionPerWorker() {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSessions.local().sparkContext());
    RoundAveragingTrainingMaster master = new RoundAveragingTrainingMaster(WORKERS, AVERAGING, 8);
    SparkComputationGraph spark = new SparkComputationGraph(sc, network(), master);
    List<MultiDataSet> all = new ArrayList<>();
    round(0).forEach(all::addAll);
    assertThatThrownBy(() -> spark.fitMultiDataSet(sc.parallelize(all, 3)))
        .hasMessageContaining("one partition per worker").hasMessageContaining("3 partitions");
  }

  @Test
  void keepsTheNetworksOfTheLastTwoRunsOnly() {
    WarmNetworks pool = new WarmNetworks();
    ComputationGraph net = network();
    pool.giveBack("a", net);
    pool.giveBack("b", net);
    assertThat(pool.take("a")).containsSame(net);                 // "a" is used again: "b" is now the oldest
    pool.giveBack("a", net);
    pool.giveBack("c", net);
    assertThat(List.of(pool.idle("a"), pool.idle("b"), pool.idle("c"))).containsExactly(1, 0, 1);
    assertThat(pool.take("d")).isEmpty();
    assertThat(List.of(pool.idle("a"), pool.idle("c"))).containsExactly(0, 1);
  }
}
