package io.sparkvlm.training;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfiguredFiles;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.InputRef;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.training.averaging.RoundAveragingTrainingMaster;
import io.sparkvlm.training.averaging.RoundPartitioner;
import io.sparkvlm.training.averaging.RoundTimes;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.rdd.RDD;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The data-parallel training loop every training stage shares (pretrain clip and lm, the filter's captioner and
 * matching model, align, instruct, detect); what differs per model kind is a {@link Trainer}. Training itself is
 * DL4J Spark's synchronous parameter averaging ({@link RoundAveragingTrainingMaster}): each {@code fitMultiDataSet}
 * call is one round, in which every worker takes {@code averaging-frequency} local steps on its own minibatches
 * (an epoch's rounds: {@link RoundPartitioner}) before the driver averages parameters and updater state. Every
 * {@code log-every-steps} steps (a multiple of the averaging frequency) the driver logs, and evaluates and
 * checkpoints when due, on the averaged model.
 *
 * <p>One step = one minibatch on every worker (global batch = workers x batch size per worker). DL4J's iteration
 * count, which drives the learning-rate schedule, is set to the step count after every round (DL4J itself adds
 * {@code averaging-frequency} per round, which overcounts an epoch's last, shorter round).
 */
public final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
  /** The run folder's checkpoint folder. */
  public static final String CHECKPOINTS = "checkpoints";

  private TrainingRun() {}

  /** Where a run stands: the checkpoint it continues from, if any, and its data position. */
  public record Start(Optional<String> checkpoint, int epoch, int epochStep) {}

  /** Resume, refuse or overwrite, per the settings. */
  public static Start start(TrainingSettings s, ModelArchitecture architecture, Configuration conf) throws IOException {
    String checkpoints = new Path(s.output(), CHECKPOINTS).toString();
    Optional<String> latest = Checkpoints.latestComplete(checkpoints, conf);
    if (s.resume()) {
      if (latest.isEmpty()) {
        LOG.info("{}: resume asked but {} has no complete checkpoint: starting from scratch", stage(s),
            checkpoints);
        return new Start(Optional.empty(), 0, 0);
      }
      CheckpointManifest m = Checkpoints.readManifest(latest.get(), conf);
      if (!m.model().equals(architecture.name())) {
        throw new CheckpointError("Cannot resume " + latest.get() + ": it is a " + m.model() + " model, the config "
            + "asks for " + architecture.name());
      }
      // the same name with another shape (a preset edited since): the weights would not fit
      Optional<ModelArchitecture> recorded = ModelArchitecture.of(m, latest.get());
      if (recorded.isPresent() && !recorded.get().equals(architecture)) {
        throw new CheckpointError("Cannot resume " + latest.get() + ": its " + m.model() + " has another shape "
            + "than the config's (checkpoint " + recorded.get().toJson() + ", config " + architecture.toJson() + ")");
      }
      Double epoch = m.metrics().get("epoch");
      Double epochStep = m.metrics().get("epoch_step");
      if (epoch == null || epochStep == null) {
        throw new CheckpointError("Cannot resume " + latest.get() + ": its manifest has no data position "
            + "(metrics epoch, epoch_step)");
      }
      LOG.info("{}: resuming from {} (step {})", stage(s), latest.get(), m.step());
      return new Start(latest, epoch.intValue(), epochStep.intValue());
    }
    Path out = new Path(s.output());
    if (HadoopFiles.existsWithContent(out, conf)) {
      if (!s.overwrite()) {
        throw new CheckpointError("Output " + s.output() + " already exists" + (latest.isPresent()
            ? " with checkpoints (newest " + latest.get() + ")" : "") + ": set " + s.section() + ".resume=true to "
            + "continue it, or --overwrite to replace it");
      }
      out.getFileSystem(conf).delete(out, true);
    }
    return new Start(Optional.empty(), 0, 0);
  }

  /** When resuming, the checkpoint's tokenizer, of whichever kind (a CLIP's may be OpenCLIP's). */
  public static Optional<Tokenizer> resumedTokenizer(Start start, Configuration conf) throws IOException {
    if (start.checkpoint().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ModelCheckpoints.loadTokenizer(start.checkpoint().get(), conf).orElseThrow(() ->
        new CheckpointError("Checkpoint " + start.checkpoint().get() + " has no " + ModelCheckpoints.TOKENIZER)));
  }

  /** The checkpoint's tokenizer when resuming, else the configured one, else BPE trained on {@code texts}. */
  public static BpeTokenizer tokenizer(Start start, TrainingSettings s, JavaRDD<String> texts, int vocabSize,
      Configuration conf) throws IOException {
    Optional<Tokenizer> resumed = resumedTokenizer(start, conf);
    if (resumed.isPresent()) {
      return ModelCheckpoints.asBpe(resumed.get(), start.checkpoint().get());
    }
    if (s.tokenizer().isPresent()) {
      String key = s.section() + ".tokenizer";
      Path file = new Path(s.tokenizer().get());
      String json = new String(ConfiguredFiles.read(key, file, conf), StandardCharsets.UTF_8);
      try {
        return BpeTokenizer.fromJson(json);
      } catch (IOException e) {
        throw new DatasetError(file + " (" + key + ") is not a tokenizer spark-vlm reads (a byte-level BPE "
            + "tokenizer.json): " + e.getMessage(), e);
      }
    }
    long t0 = System.nanoTime();
    BpeTokenizer t = BpeTrainer.train(texts, vocabSize, s.tokenizerMinFrequency());
    LOG.info("{}: trained a BPE tokenizer of {} tokens in {}s", stage(s), t.vocabSize(),
        String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    return t;
  }

  /** The stage's name for log lines: pretrain clip, pretrain lm. */
  public static String stage(TrainingSettings s) {
    return s.section().replace('.', ' ');
  }

  /** ND4J threads per executor JVM: the setting, or the cores Spark gives a task. */
  public static int threads(SparkSession spark, TrainingSettings s) {
    return threads(spark, s.nd4jThreads());
  }

  /** ND4J threads per executor JVM: {@code configured} when positive, else the cores Spark gives a task. */
  public static int threads(SparkSession spark, int configured) {
    return configured > 0 ? configured : spark.sparkContext().conf().getInt("spark.task.cpus", 1);
  }

  /**
   * Trains {@code trainer}'s model on {@code items} (persisted by the caller, see {@link TrainingItems}) from
   * {@code start}; returns the summary line.
   *
   * @param inputs the datasets (and other files) trained on, recorded with their hashes in every checkpoint
   * @param what describes one item in messages, e.g. "successful pairs"
   */
  public static <T extends EpochBatches.Keyed> String train(SparkSession spark, TrainingSettings s, Start start,
      List<String> inputs, String what, JavaRDD<T> items, Tokenizer tokenizer, Trainer<T> trainer)
      throws IOException {
    Instant started = Instant.now();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String checkpoints = new Path(s.output(), CHECKPOINTS).toString();
    long rows = items.count();
    int workers = s.workers() > 0 ? s.workers() : sc.defaultParallelism();
    int batch = s.batchSizePerWorker();
    int stepsPerEpoch = (int) (rows / batch / workers);
    if (stepsPerEpoch == 0) {
      throw new DatasetError(String.join(", ", inputs) + " has " + rows + " " + what + ": too few for one step of "
          + workers + " workers x " + batch + " (" + s.section() + ".workers, batch-size-per-worker)");
    }
    int totalSteps = s.maxSteps() > 0 ? Math.min(s.maxSteps(), s.epochs() * stepsPerEpoch)
        : s.epochs() * stepsPerEpoch;
    // the epochs the run reaches: the configured ones, or fewer where max-steps ends it early
    int epochsRun = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch;
    long usedPerEpoch = (long) stepsPerEpoch * workers * batch;
    LOG.info("{}: {} {}, {} workers x batch {} = global batch {} ({} ND4J threads each); {} steps per epoch ({} "
            + "used, {} left out), {} epochs{} = {} steps", stage(s), rows, what, workers, batch,
        workers * batch, threads(spark, s), stepsPerEpoch, usedPerEpoch, rows - usedPerEpoch, s.epochs(),
        totalSteps < s.epochs() * stepsPerEpoch ? " (max-steps ends the run in epoch " + epochsRun + ")" : "",
        totalSteps);

    Optimiser optimiser = s.optimiser().forSteps(totalSteps);
    if (s.optimiser().warmupSteps() >= totalSteps) {
      LOG.warn("{}: {}.optimiser.warmup-steps = {} is not less than the run's {} steps: the learning rate rises the "
          + "whole run and never decays", stage(s), s.section(), s.optimiser().warmupSteps(), totalSteps);
    }
    ComputationGraph model = start.checkpoint().isPresent()
        ? ModelCheckpoints.loadModel(start.checkpoint().get(), conf) : trainer.newModel(optimiser);
    int startStep = start.epoch() * stepsPerEpoch + start.epochStep();
    if (model.getConfiguration().getIterationCount() != startStep) {
      throw new CheckpointError("Checkpoint " + start.checkpoint().orElse("") + " is at optimiser step "
          + model.getConfiguration().getIterationCount() + " but its data position (epoch " + start.epoch()
          + ", step " + start.epochStep() + ") makes step " + startStep + " with this data and batch settings: "
          + "resume with the settings the run started with");
    }
    RoundAveragingTrainingMaster master = new RoundAveragingTrainingMaster(workers, s.averagingFrequency(), batch);
    SparkComputationGraph sparkNet = new SparkComputationGraph(sc, model, master);
    sparkNet.setListeners(trainer.listeners());
    Trainer.BatchBuilder<T> batches = trainer.batches();
    List<String> parents = start.checkpoint().map(List::of).orElse(trainer.parents());

    MetricsLog metrics = MetricsLog.open(s.output(), startStep, conf);
    List<InputRef> inputRefs = new ArrayList<>();
    for (String input : inputs) {
      inputRefs.add(InputRef.of(input, conf));
    }
    int step = startStep;
    long runStartNanos = System.nanoTime();
    int stepsThisRun = 0;
    Map<String, Double> lastEval = Map.of();
    double loss = Double.NaN;
    try {
      for (int epoch = start.epoch(); epoch < s.epochs(); epoch++) {
        int firstStep = epoch == start.epoch() ? start.epochStep() : 0;
        int endStep = Math.min(stepsPerEpoch, totalSteps - epoch * stepsPerEpoch); // max-steps may end an epoch early
        if (firstStep >= endStep) {
          continue;
        }
        RoundPartitioner rounds = new RoundPartitioner(firstStep, endStep, workers, s.averagingFrequency());
        JavaPairRDD<Long, List<T>> epochBatches = EpochBatches.of(items, s.seed(), epoch, batch,
            rounds.firstBatch(), rounds.endBatch(), rounds);
        int sliceFrom = firstStep;
        long sliceStart = System.nanoTime();
        double sliceLoss = 0;
        int sliceRounds = 0;
        for (int round = 0; round < rounds.rounds(); round++) {
          int to = rounds.roundEnd(round);
          sparkNet.fitMultiDataSet(roundMinibatches(epochBatches, rounds, round, batches, epoch));
          step += to - rounds.roundStart(round);
          stepsThisRun += to - rounds.roundStart(round);
          model = sparkNet.getNetwork();
          model.getConfiguration().setIterationCount(step);
          model.getConfiguration().setEpochCount(epoch);
          sliceLoss += sparkNet.getScore();
          sliceRounds++;
          if ((to - firstStep) % s.logEverySteps() != 0 && to != endStep) {
            continue; // a line per log-every-steps (a multiple of averaging-frequency) and at the epoch's end
          }
          double seconds = (System.nanoTime() - sliceStart) / 1e9;
          int taken = to - sliceFrom;
          loss = sliceLoss / sliceRounds;

          Map<String, Object> line = new LinkedHashMap<>();
          line.put("epoch", epoch);
          line.put("loss", loss);
          Map<String, Double> progress = trainer.progress(model, loss);
          line.putAll(progress);
          double lr = optimiser.learningRateAt(step - 1);
          line.put("learning_rate", lr);
          double samplesPerSecond = (double) taken * workers * batch / seconds;
          line.put("samples_per_s", samplesPerSecond);
          RoundTimes times = master.times();
          line.put("time_share_train", times.trainShare());
          line.put("time_share_data", times.dataShare());
          line.put("time_share_sync", times.syncShare());
          double elapsed = (System.nanoTime() - runStartNanos) / 1e9;
          StringBuilder extra = new StringBuilder();
          progress.forEach((k, v) -> extra.append(' ').append(k.replace('_', ' ')).append(' ')
              .append(String.format("%.3f", v)));
          LOG.info("{}: step {}/{} (epoch {}/{}) loss {}{} lr {} | {} samples/s (train {}%, data {}%, sync {}%) "
                  + "| ETA {}", stage(s), step, totalSteps, epoch + 1, epochsRun, String.format("%.4f", loss), extra,
              String.format("%.3g", lr), String.format("%.1f", samplesPerSecond), percent(times.trainShare()),
              percent(times.dataShare()), percent(times.syncShare()),
              duration(elapsed / stepsThisRun * (totalSteps - step)));
          times.reset();
          boolean last = step == totalSteps;
          if (s.evalEverySteps().isPresent() && (crossed(step, taken, s.evalEverySteps().get()) || last)) {
            long evalStart = System.nanoTime();
            // between rounds no task trains: the evaluation may use every core of the driver's machine
            ComputationGraph evaluated = model;
            lastEval = Nd4jThreads.during(Runtime.getRuntime().availableProcessors(),
                () -> trainer.evaluate(evaluated));
            line.putAll(lastEval);
            LOG.info("{}: eval at step {} ({}s): {}", stage(s), step,
                String.format("%.1f", (System.nanoTime() - evalStart) / 1e9), headline(trainer, lastEval));
          }
          metrics.append(step, line);
          if (crossed(step, taken, s.checkpointEverySteps()) || last) {
            Map<String, Double> saved = new LinkedHashMap<>(lastEval);
            saved.put("loss", loss);
            saved.put("epoch", (double) epoch);
            saved.put("epoch_step", (double) to);
            String location = new Path(checkpoints, Checkpoints.nameForStep(step)).toString();
            if (Checkpoints.removeIncomplete(location, conf)) {
              LOG.warn("{}: removed {}, a checkpoint an earlier run left without its manifest", stage(s), location);
            }
            ModelCheckpoints.save(model, Optional.of(tokenizer), location, new CheckpointManifest(
                trainer.architecture().name(), Optional.of(trainer.architecture().toJson()),
                step, s.seed(), s.effectiveConfig(), inputRefs, parents, saved, Versions.all(),
                Instant.now().toString()), false, conf);
            LOG.info("{}: checkpoint {}", stage(s), location);
          }
          sliceFrom = to;
          sliceStart = System.nanoTime();
          sliceLoss = 0;
          sliceRounds = 0;
        }
      }
    } finally {
      master.finish();
    }
    if (stepsThisRun == 0) {
      return String.format("%d steps (0 this run): the run was already complete; checkpoints in %s", step,
          checkpoints);
    }
    return String.format("%d steps (%d this run) in %s, final loss %.4f%s; checkpoints in %s", step, stepsThisRun,
        duration((Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0), loss,
        lastEval.isEmpty() ? "" : ", " + headline(trainer, lastEval), checkpoints);
  }

  /**
   * One averaging round's data: the round's partitions of {@code epochBatches} (one per worker, see
   * {@link RoundPartitioner}), each worker's minibatches in step order, built into MultiDataSets on the executors.
   */
  static <T extends EpochBatches.Keyed> JavaRDD<MultiDataSet> roundMinibatches(
      JavaPairRDD<Long, List<T>> epochBatches, RoundPartitioner rounds, int round, Trainer.BatchBuilder<T> batches,
      int epoch) {
    RDD<Tuple2<Long, List<T>>> mine = PartitionPruningRDD.create(epochBatches.rdd(),
        new PartitionsOfRound(rounds, round));
    return new JavaRDD<>(mine, ClassTag$.MODULE$.apply(Tuple2.class)).mapPartitions(
        (Iterator<Tuple2<Long, List<T>>> it) -> {
          List<Tuple2<Long, List<T>>> inOrder = new ArrayList<>();
          it.forEachRemaining(inOrder::add);
          inOrder.sort(Comparator.comparingLong(Tuple2::_1));
          return inOrder.stream().map(t -> batches.build(t._2(), epoch)).iterator();
        });
  }

  /** Whether a partition belongs to one round (Spark's partition filter, a Scala function). */
  private static final class PartitionsOfRound extends AbstractFunction1<Object, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final RoundPartitioner rounds;
    private final int round;

    PartitionsOfRound(RoundPartitioner rounds, int round) {
      this.rounds = rounds;
      this.round = round;
    }

    @Override
    public Object apply(Object partition) {
      return rounds.roundOf((Integer) partition) == round;
    }
  }

  private static String percent(double share) {
    return String.format("%.0f", 100 * share);
  }

  /** The evaluation's headline metrics as "name value, ...". */
  static String headline(Trainer<?> trainer, Map<String, Double> evaluation) {
    StringBuilder out = new StringBuilder();
    evaluation.forEach((k, v) -> {
      if (trainer.headline(k)) {
        out.append(out.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format("%.3f", v));
      }
    });
    return out.toString();
  }

  /**
   * The successful rows of the pairs dataset at {@code input}, which config key {@code inputKey} names (schema and
   * version checked by {@link Datasets#read}).
   */
  public static Dataset<Row> successfulPairs(SparkSession spark, String inputKey, String input) {
    return Datasets.readFor(inputKey, spark, input, PairsSchema.SCHEMA)
        .filter(PairsSchema.STATUS + " = '" + PairStatus.SUCCESS.value() + "'");
  }

  /** Refuses a tokenizer with more tokens than the model's vocabulary. */
  public static void checkVocabulary(Tokenizer tokenizer, int vocabSize, String model) {
    if (tokenizer.vocabSize() > vocabSize) {
      throw new CheckpointError("The tokenizer has " + tokenizer.vocabSize() + " tokens but model " + model
          + " has a vocabulary of " + vocabSize);
    }
  }

  /**
   * Whether the slice that just took {@code stepsTaken} steps up to {@code step} passed a multiple of
   * {@code every} (an epoch's last slice can be shorter, so slice ends do not always land on multiples).
   */
  public static boolean crossed(int step, int stepsTaken, int every) {
    return step / every > (step - stepsTaken) / every;
  }

  public static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long sec = Math.round(seconds);
    return sec >= 3600 ? String.format("%dh%02dm", sec / 3600, sec / 60 % 60)
        : sec >= 60 ? String.format("%dm%02ds", sec / 60, sec % 60) : sec + "s";
  }
}
