package io.sparkvlm.pretrain;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.clipeval.ClipEvalSets;
import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.training.LogitScaleClamp;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.pretrain.ClipTrainingData.EncodedPair;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
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
    ClipShape shape = c.shape();
    ModelArchitecture architecture = new ModelArchitecture.Clip(shape);
    TrainingRun.Start start = TrainingRun.start(s, architecture, conf);
    int threads = TrainingRun.threads(spark, s);
    Nd4jThreads.set(threads);
    Dataset<Row> pairs = Datasets.read(spark, c.input(), PairsSchema.SCHEMA)
        .filter(PairsSchema.STATUS + " = '" + PairStatus.SUCCESS.value() + "'");
    BpeTokenizer tokenizer = tokenizer(start, pairs);
    if (tokenizer.vocabSize() > shape.vocabSize()) {
      throw new CheckpointError("The tokenizer has " + tokenizer.vocabSize() + " tokens but model " + shape.name()
          + " has a vocabulary of " + shape.vocabSize());
    }
    LOG.info("pretrain clip: model {} ({} parameters, {} GFLOP per training sample)", shape.name(), shape.params(),
        String.format("%.3f", shape.trainingFlopsPerSample() / 1e9));
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<BpeTokenizer> tokenizerOnExecutors = sc.broadcast(tokenizer);
    JavaRDD<EncodedPair> encoded = ClipTrainingData.encode(pairs, tokenizerOnExecutors, shape.contextLength())
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    long seed = s.seed();
    double minCrop = c.minCropScale();
    Optional<ClipEvaluator> evaluator = evaluator(shape, tokenizer);
    try {
      return TrainingRun.train(spark, s, start, c.input(), "successful pairs", encoded,
          (items, epoch) -> ClipTrainingData.toMultiDataSet(items, shape, seed, epoch, minCrop, threads), tokenizer,
          new TrainingRun.Job() {
            @Override
            public ModelArchitecture architecture() {
              return architecture;
            }

            @Override
            public ComputationGraph newModel(int totalSteps) {
              return ClipModel.build(shape, s.optimiser().forSteps(totalSteps), DataType.FLOAT, s.seed(),
                  c.lockedImage() ? ClipModel.Trainable.LOCKED_IMAGE : ClipModel.Trainable.ALL);
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
            public double learningRate(ComputationGraph model, int step) {
              return model.getLayer("textBlock0").conf().getLayer().getUpdaterByParam("fcW")
                  .getLearningRate(step, 0);
            }

            @Override
            public String headline(Map<String, Double> evaluation) {
              return ClipTrainer.headline(evaluation);
            }
          });
    } finally {
      encoded.unpersist(false);
      tokenizerOnExecutors.destroy();
    }
  }

  private BpeTokenizer tokenizer(TrainingRun.Start start, Dataset<Row> pairs) throws IOException {
    return TrainingRun.tokenizer(start, c.training(), pairs.select(PairsSchema.CAPTION).as(Encoders.STRING()).javaRDD(),
        c.shape().vocabSize(), conf);
  }

  private Optional<ClipEvaluator> evaluator(ClipShape shape, BpeTokenizer tokenizer) throws IOException {
    if (c.eval().isEmpty()) {
      return Optional.empty();
    }
    PretrainClipConfig.Eval e = c.eval().get();
    ClipEvalSets sets = ClipEvalSets.read(e.root(), e.retrieval(), e.zeroShot(), e.maxImages(), conf);
    return sets.isEmpty() ? Optional.empty() : Optional.of(new ClipEvaluator(shape, tokenizer, sets));
  }

  static String headline(Map<String, Double> eval) {
    StringBuilder s = new StringBuilder();
    eval.forEach((k, v) -> {
      if (ClipEvaluator.isHeadline(k)) {
        s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format("%.3f", v));
      }
    });
    return s.toString();
  }
}
