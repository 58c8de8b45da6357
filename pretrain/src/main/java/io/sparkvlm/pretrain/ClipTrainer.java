package io.sparkvlm.pretrain;

import io.sparkvlm.core.clipeval.ClipEvalSets;
import io.sparkvlm.core.config.ConfiguredFiles;
import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.training.LogitScaleClamp;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.Weights;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.pretrain.ClipTrainingData.EncodedPair;
import io.sparkvlm.training.Trainer;
import io.sparkvlm.training.TrainingItems;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.TrainingSettings;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIP pretraining: the pairs dataset tokenised on the executors, a {@link ClipModel} trained by the shared
 * {@link TrainingRun} loop, logit scale logged and clamped, zero-shot and retrieval evaluated on held-out sets.
 */
final class ClipTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ClipTrainer.class);

  private final SparkSession spark;
  private final PretrainClipConfig c;
  private final Configuration conf;

  ClipTrainer(SparkSession spark, PretrainClipConfig config) {
    this.spark = spark;
    this.c = config;
    this.conf = spark.sparkContext().hadoopConfiguration();
  }

  String train() throws IOException {
    TrainingSettings s = c.training();
    Optional<ModelCheckpoints.Loaded> init = c.initFrom().isPresent()
        ? Optional.of(ModelCheckpoints.loadFor(PretrainClipConfig.INIT_FROM, c.initFrom().get(), conf))
        : Optional.empty();
    ClipShape shape = init.isPresent()
        ? init.get().as(ModelArchitecture.Clip.class, PretrainClipConfig.INIT_FROM).shape() : c.shape();
    ModelArchitecture architecture = new ModelArchitecture.Clip(shape);
    TrainingRun.Start start = TrainingRun.start(s, architecture, conf);
    int threads = TrainingRun.threads(spark, s);
    Nd4jThreads.set(threads);
    Dataset<Row> pairs = TrainingRun.successfulPairs(spark, PretrainClipConfig.INPUT, c.input());
    if (c.eval().isPresent()) {
      ConfiguredFiles.requireAll(PretrainClipConfig.EVAL, c.eval().get().files(), conf);
    }
    // a resumed run keeps its own tokenizer, a run from init-from the start checkpoint's, else as configured
    Optional<Tokenizer> resumed = TrainingRun.resumedTokenizer(start, conf);
    Tokenizer tokenizer = resumed.isPresent() ? resumed.get() : init.isPresent() ? init.get().requireTokenizer()
        : TrainingRun.tokenizer(start, s, pairs.select(PairsSchema.CAPTION).as(Encoders.STRING()).javaRDD(),
            shape.vocabSize(), conf);
    TrainingRun.checkVocabulary(tokenizer, shape.vocabSize(), shape.name());
    LOG.info("pretrain clip: model {} ({} parameters, {} GFLOP per training sample){}", shape.name(), shape.params(),
        String.format("%.3f", shape.trainingFlopsPerSample() / 1e9),
        init.isPresent() && start.checkpoint().isEmpty() ? ", starting from " + init.get().location() : "");
    Broadcast<Tokenizer> onExecutors = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(tokenizer);
    try (TrainingItems<EncodedPair> items = TrainingItems.persist(
        ClipTrainingData.encode(pairs, onExecutors, shape.contextLength()), onExecutors)) {
      return TrainingRun.train(spark, s, start, List.of(c.input()), "successful pairs", items.rdd(), tokenizer,
          new ClipModelTrainer(c, shape, init, architecture, evaluator(shape, tokenizer), threads));
    }
  }

  /** What CLIP supplies to the loop; a new model starts from {@code init}'s weights when there is one. */
  private record ClipModelTrainer(PretrainClipConfig c, ClipShape shape, Optional<ModelCheckpoints.Loaded> init,
      ModelArchitecture architecture, Optional<ClipEvaluator> evaluator, int threads) implements Trainer<EncodedPair> {

    @Override
    public ComputationGraph newModel(Optimiser optimiser) {
      ComputationGraph g = ClipModel.build(shape, optimiser, DataType.FLOAT, c.training().seed(),
          c.lockedImage() ? ClipModel.Trainable.LOCKED_IMAGE : ClipModel.Trainable.ALL);
      if (init.isPresent()) {
        try {
          ComputationGraph from = init.get().model();
          List<String> layers = java.util.Arrays.stream(from.getLayers())
              .filter(l -> l.numParams() > 0).map(l -> l.conf().getLayer().getLayerName()).toList();
          Weights.copyLayers(g, new Weights.Source(from, layers));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("Cannot read " + init.get().location(), e);
        }
      }
      return g;
    }

    @Override
    public List<String> parents() {
      return init.map(l -> List.of(l.location())).orElse(List.of());
    }

    @Override
    public BatchBuilder<EncodedPair> batches() {
      ClipShape shape = this.shape;
      long seed = c.training().seed();
      double minCrop = c.minCropScale();
      int t = threads;
      return (items, epoch) -> ClipTrainingData.toMultiDataSet(items, shape, seed, epoch, minCrop, t);
    }

    @Override
    public List<TrainingListener> listeners() {
      return List.of(new LogitScaleClamp(ClipModel.LOSS));
    }

    @Override
    public Map<String, Double> progress(ComputationGraph model, double loss) {
      return Map.of("logit_scale", Math.exp(model.getLayer(ClipModel.LOSS).getParam(ClipLoss.LOGIT_SCALE)
          .getDouble(0)));
    }

    @Override
    public Map<String, Double> evaluate(ComputationGraph model) {
      return evaluator.map(e -> e.evaluate(model)).orElse(Map.of());
    }

    @Override
    public boolean headline(String metric) {
      return ClipEvaluator.isHeadline(metric);
    }
  }

  private Optional<ClipEvaluator> evaluator(ClipShape shape, Tokenizer tokenizer) throws IOException {
    if (c.eval().isEmpty()) {
      return Optional.empty();
    }
    PretrainClipConfig.Eval e = c.eval().get();
    ClipEvalSets sets = ClipEvalSets.read(e.root(), e.retrieval(), e.zeroShot(), e.maxImages(), conf);
    return sets.isEmpty() ? Optional.empty() : Optional.of(new ClipEvaluator(shape, tokenizer, sets));
  }
}
