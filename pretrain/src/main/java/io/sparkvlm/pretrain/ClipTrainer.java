package io.sparkvlm.pretrain;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.clipeval.ClipEvalSets;
import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.InputRef;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.training.LogitScaleClamp;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.pretrain.ClipTrainingData.EncodedPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CLIP pretraining loop on the driver. Training itself is DL4J Spark's parameter averaging: each
 * {@code fitMultiDataSet} call hands a slice of the epoch ({@code log-every-steps} steps x workers minibatches) to
 * the workers, which take {@code averaging-frequency} local steps between averagings. Between slices the driver
 * holds the averaged model: it logs, evaluates and checkpoints there.
 *
 * <p>One step = one minibatch on every worker (global batch = workers x batch size per worker). DL4J's iteration
 * count, which drives the learning-rate schedule, is set to the step count after every slice (DL4J itself adds
 * {@code averaging-frequency} per averaging round, which overcounts an epoch's last, shorter slice).
 */
final class ClipTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ClipTrainer.class);
  static final String CHECKPOINTS = "checkpoints";

  private final SparkSession spark;
  private final PretrainClipConfig c;
  private final Configuration conf;
  private final JavaSparkContext sc;

  ClipTrainer(SparkSession spark, PretrainClipConfig config) {
    this.spark = spark;
    this.c = config;
    this.conf = spark.sparkContext().hadoopConfiguration();
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  /** Where a run stands: the checkpoint it continues from, if any. */
  private record Start(Optional<String> checkpoint, int epoch, int epochStep) {}

  String train() throws IOException {
    Instant started = Instant.now();
    String checkpoints = new Path(c.output(), CHECKPOINTS).toString();
    Start start = start(checkpoints);
    int threads = c.nd4jThreads() > 0 ? c.nd4jThreads() : spark.sparkContext().conf().getInt("spark.task.cpus", 1);
    Nd4jThreads.set(threads);
    ClipShape shape = c.shape();

    Dataset<Row> pairs = Datasets.read(spark, c.input(), PairsSchema.SCHEMA)
        .filter(PairsSchema.STATUS + " = '" + PairStatus.SUCCESS.value() + "'");
    BpeTokenizer tokenizer = tokenizer(start, pairs);
    if (tokenizer.vocabSize() > shape.vocabSize()) {
      throw new CheckpointError("The tokenizer has " + tokenizer.vocabSize() + " tokens but model " + shape.name()
          + " has a vocabulary of " + shape.vocabSize());
    }
    Broadcast<BpeTokenizer> tokenizerOnExecutors = sc.broadcast(tokenizer);
    JavaRDD<EncodedPair> encoded = ClipTrainingData.encode(pairs, tokenizerOnExecutors, shape.contextLength())
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    long rows = encoded.count();

    int workers = c.workers() > 0 ? c.workers() : sc.defaultParallelism();
    int batch = c.batchSizePerWorker();
    long batchesPerEpoch = rows / batch;
    int stepsPerEpoch = (int) (batchesPerEpoch / workers);
    if (stepsPerEpoch == 0) {
      throw new DatasetError(c.input() + " has " + rows + " successful pairs: too few for one step of "
          + workers + " workers x " + batch + " pairs (pretrain.clip.workers, batch-size-per-worker)");
    }
    int totalSteps = c.maxSteps() > 0 ? Math.min(c.maxSteps(), c.epochs() * stepsPerEpoch)
        : c.epochs() * stepsPerEpoch;
    long examplesUsedPerEpoch = (long) stepsPerEpoch * workers * batch;
    LOG.info("pretrain clip: {} pairs, {} workers x batch {} = global batch {} ({} ND4J threads each); {} steps per "
            + "epoch ({} pairs, {} left out), {} epochs = {} steps; model {} ({} parameters, {} GFLOP per training "
            + "sample)", rows, workers, batch, workers * batch, threads, stepsPerEpoch, examplesUsedPerEpoch,
        rows - examplesUsedPerEpoch, c.epochs() + (totalSteps < c.epochs() * stepsPerEpoch ? " (cut by max-steps)"
            : ""), totalSteps, shape.name(), shape.params(),
        String.format("%.3f", shape.trainingFlopsPerSample() / 1e9));

    ComputationGraph model = start.checkpoint().isPresent()
        ? ModelCheckpoints.loadModel(start.checkpoint().get(), conf)
        : ClipModel.build(shape, c.optimiser().forSteps(totalSteps), DataType.FLOAT, c.seed(),
            c.lockedImage() ? ClipModel.Trainable.LOCKED_IMAGE : ClipModel.Trainable.ALL);
    int startStep = start.epoch() * stepsPerEpoch + start.epochStep();
    if (model.getConfiguration().getIterationCount() != startStep) {
      throw new CheckpointError("Checkpoint " + start.checkpoint().orElse("") + " is at optimiser step "
          + model.getConfiguration().getIterationCount() + " but its data position (epoch " + start.epoch()
          + ", step " + start.epochStep() + ") makes step " + startStep + " with this data and batch settings: "
          + "resume with the settings the run started with");
    }
    ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, batch)
        .batchSizePerWorker(batch)
        .averagingFrequency(c.averagingFrequency())
        .workerPrefetchNumBatches(0)
        .saveUpdater(true)
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .storageLevel(StorageLevel.MEMORY_ONLY_SER())
        .rngSeed(c.seed())
        .build();
    SparkComputationGraph sparkNet = new SparkComputationGraph(sc, model, master);
    sparkNet.setListeners(List.of(new LogitScaleClamp(ClipModel.LOSS)));

    Optional<ClipEvaluator> evaluator = evaluator(shape, tokenizer);
    MetricsLog metrics = MetricsLog.open(c.output(), startStep, conf);
    List<InputRef> inputs = List.of(InputRef.of(c.input(), conf));

    int step = startStep;
    long runStartNanos = System.nanoTime();
    int stepsThisRun = 0;
    Map<String, Double> lastEval = Map.of();
    double loss = Double.NaN;
    for (int epoch = start.epoch(); epoch < c.epochs(); epoch++) {
      int firstStep = epoch == start.epoch() ? start.epochStep() : 0;
      int endStep = Math.min(stepsPerEpoch, totalSteps - epoch * stepsPerEpoch); // max-steps may end an epoch early
      if (firstStep >= endStep) {
        continue;
      }
      JavaPairRDD<Long, List<EncodedPair>> batches = ClipTrainingData.epochBatches(encoded, c.seed(), epoch, batch,
              (long) stepsPerEpoch * workers)
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      for (int from = firstStep; from < endStep; from += c.logEverySteps()) {
        int to = Math.min(endStep, from + c.logEverySteps());
        long lo = (long) from * workers;
        long hi = (long) to * workers;
        final int e = epoch;
        final long seed = c.seed();
        final double minCrop = c.minCropScale();
        JavaRDD<MultiDataSet> slice = batches.filter(t -> t._1() >= lo && t._1() < hi).values()
            .map(items -> ClipTrainingData.toMultiDataSet(items, shape, seed, e, minCrop, threads));
        long sliceStart = System.nanoTime();
        sparkNet.fitMultiDataSet(slice);
        double seconds = (System.nanoTime() - sliceStart) / 1e9;
        step += to - from;
        stepsThisRun += to - from;
        model = sparkNet.getNetwork();
        // DL4J adds averaging-frequency per averaging round; an epoch's last, shorter slice takes fewer steps
        model.getConfiguration().setIterationCount(step);
        loss = sparkNet.getScore();

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", epoch);
        line.put("loss", loss);
        line.put("logit_scale", Math.exp(model.getLayer(ClipModel.LOSS).getParam(ClipLoss.LOGIT_SCALE)
            .getDouble(0)));
        double lr = model.getLayer("textBlock0").conf().getLayer().getUpdaterByParam("fcW")
            .getLearningRate(step - 1, epoch);
        line.put("learning_rate", lr);
        double samplesPerSecond = (double) (to - from) * workers * batch / seconds;
        line.put("samples_per_s", samplesPerSecond);
        double elapsed = (System.nanoTime() - runStartNanos) / 1e9;
        double eta = elapsed / stepsThisRun * (totalSteps - step);
        LOG.info("pretrain clip: step {}/{} (epoch {}/{}) loss {} logit scale {} lr {} | {} samples/s | ETA {}",
            step, totalSteps, epoch + 1, c.epochs(), String.format("%.4f", loss),
            String.format("%.2f", line.get("logit_scale")), String.format("%.3g", lr),
            String.format("%.1f", samplesPerSecond), duration(eta));
        boolean last = step == totalSteps;
        if (evaluator.isPresent() && (crossed(step, to - from, c.eval().get().everySteps()) || last)) {
          lastEval = evaluator.get().evaluate(model);
          line.putAll(lastEval);
          LOG.info("pretrain clip: eval at step {}: {}", step, headline(lastEval));
        }
        metrics.append(step, line);
        if (crossed(step, to - from, c.checkpointEverySteps()) || last) {
          Map<String, Double> saved = new LinkedHashMap<>(lastEval);
          saved.put("loss", loss);
          saved.put("epoch", (double) epoch);
          saved.put("epoch_step", (double) to);
          String location = new Path(checkpoints, Checkpoints.nameForStep(step)).toString();
          ModelCheckpoints.save(model, Optional.of(tokenizer), location, new CheckpointManifest(shape.name(), step,
              c.seed(), c.effectiveConfig(), inputs, start.checkpoint(), saved, Versions.all(),
              Instant.now().toString()), false, conf);
          LOG.info("pretrain clip: checkpoint {}", location);
        }
      }
      batches.unpersist(false);
    }
    encoded.unpersist(false);
    tokenizerOnExecutors.destroy();
    if (stepsThisRun == 0) {
      return String.format("%d steps (0 this run): the run was already complete; checkpoints in %s", step,
          checkpoints);
    }
    return String.format("%d steps (%d this run) in %s, final loss %.4f%s; checkpoints in %s", step, stepsThisRun,
        duration((Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0), loss,
        lastEval.isEmpty() ? "" : ", " + headline(lastEval), checkpoints);
  }

  private Start start(String checkpoints) throws IOException {
    Optional<String> latest = Checkpoints.latestComplete(checkpoints, conf);
    if (c.resume()) {
      if (latest.isEmpty()) {
        LOG.info("pretrain clip: resume asked but {} has no complete checkpoint: starting from scratch",
            checkpoints);
        return new Start(Optional.empty(), 0, 0);
      }
      CheckpointManifest m = Checkpoints.readManifest(latest.get(), conf);
      if (!m.model().equals(c.shape().name())) {
        throw new CheckpointError("Cannot resume " + latest.get() + ": it is a " + m.model() + " model, the config "
            + "asks for " + c.shape().name());
      }
      Double epoch = m.metrics().get("epoch");
      Double epochStep = m.metrics().get("epoch_step");
      if (epoch == null || epochStep == null) {
        throw new CheckpointError("Cannot resume " + latest.get() + ": its manifest has no data position "
            + "(metrics epoch, epoch_step)");
      }
      LOG.info("pretrain clip: resuming from {} (step {})", latest.get(), m.step());
      return new Start(latest, epoch.intValue(), epochStep.intValue());
    }
    Path out = new Path(c.output());
    if (HadoopFiles.existsWithContent(out, conf)) {
      if (!c.overwrite()) {
        throw new CheckpointError("Output " + c.output() + " already exists" + (latest.isPresent()
            ? " with checkpoints (newest " + latest.get() + ")" : "") + ": set pretrain.clip.resume=true to "
            + "continue it, or --overwrite to replace it");
      }
      out.getFileSystem(conf).delete(out, true);
    }
    return new Start(Optional.empty(), 0, 0);
  }

  private BpeTokenizer tokenizer(Start start, Dataset<Row> pairs) throws IOException {
    if (start.checkpoint().isPresent()) {
      return ModelCheckpoints.loadTokenizer(start.checkpoint().get(), conf).orElseThrow(() ->
          new CheckpointError("Checkpoint " + start.checkpoint().get() + " has no " + ModelCheckpoints.TOKENIZER));
    }
    if (c.tokenizer().isPresent()) {
      return BpeTokenizer.fromJson(new String(HadoopFiles.readAll(new Path(c.tokenizer().get()), conf),
          StandardCharsets.UTF_8));
    }
    long t0 = System.nanoTime();
    BpeTokenizer t = BpeTrainer.train(pairs.select(PairsSchema.CAPTION).as(org.apache.spark.sql.Encoders.STRING())
        .javaRDD(), c.shape().vocabSize(), c.tokenizerMinFrequency());
    LOG.info("pretrain clip: trained a BPE tokenizer of {} tokens on the captions in {}s", t.vocabSize(),
        String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    return t;
  }

  private Optional<ClipEvaluator> evaluator(ClipShape shape, BpeTokenizer tokenizer) throws IOException {
    if (c.eval().isEmpty()) {
      return Optional.empty();
    }
    PretrainClipConfig.Eval e = c.eval().get();
    ClipEvalSets sets = ClipEvalSets.read(e.root(), e.retrieval(), e.zeroShot(), e.maxImages(), conf);
    return sets.isEmpty() ? Optional.empty() : Optional.of(new ClipEvaluator(shape, tokenizer, sets));
  }

  /**
   * Whether the slice that just took {@code stepsTaken} steps up to {@code step} passed a multiple of
   * {@code every} (an epoch's last slice can be shorter, so slice ends do not always land on multiples).
   */
  static boolean crossed(int step, int stepsTaken, int every) {
    return step / every > (step - stepsTaken) / every;
  }

  static String headline(Map<String, Double> eval) {
    StringBuilder s = new StringBuilder();
    eval.forEach((k, v) -> {
      if (k.endsWith("/acc1") || k.equals("retrieval/image_to_text_R@1") || k.equals("retrieval/text_to_image_R@1")
          || k.equals("retrieval/image_to_text_R@5") || k.equals("retrieval/text_to_image_R@5")) {
        s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format("%.3f", v));
      }
    });
    return s.toString();
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
