package io.sparkvlm.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.Generation;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.WorkerSetup;
import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.ChatTemplate;
import io.sparkvlm.core.text.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Causal LM pretraining of the decoder ({@link LanguageModel}) on a text corpus: the pairs dataset's captions and,
 * optionally, the text of a LLaVA instruction file, each document {@code <|startoftext|> text <|endoftext|>} cut
 * to the context. Trained by the shared {@link TrainingRun} loop; every target token is learned. Evaluation:
 * held-out perplexity and one greedy sample from the start token, in the log.
 */
final class LmTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(LmTrainer.class);
  private static final int EVAL_BATCH = 64;

  private final SparkSession spark;
  private final PretrainLmConfig c;
  private final Configuration conf;

  LmTrainer(SparkSession spark, PretrainLmConfig config) {
    this.spark = spark;
    this.c = config;
    this.conf = spark.sparkContext().hadoopConfiguration();
  }

  /** One document, tokenised. */
  record EncodedText(String key, int[] tokens) implements EpochBatches.Keyed {}

  String train() throws IOException {
    TrainingSettings s = c.training();
    LanguageModel.Shape shape = c.shape();
    ModelArchitecture architecture = new ModelArchitecture.Language(shape);
    TrainingRun.Start start = TrainingRun.start(s, architecture, conf);
    int threads = TrainingRun.threads(spark, s);
    Nd4jThreads.set(threads);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<String> texts = corpus(sc);
    BpeTokenizer tokenizer = TrainingRun.tokenizer(start, s, texts, shape.vocabSize(), conf);
    if (tokenizer.vocabSize() > shape.vocabSize()) {
      throw new CheckpointError("The tokenizer has " + tokenizer.vocabSize() + " tokens but model " + shape.name()
          + " has a vocabulary of " + shape.vocabSize());
    }
    LOG.info("pretrain lm: model {} ({} parameters, {} GFLOP per training sequence)", shape.name(), shape.params(),
        String.format("%.3f", 3 * shape.forwardFlopsPerSample() / 1e9));
    Broadcast<BpeTokenizer> tokenizerOnExecutors = sc.broadcast(tokenizer);
    int context = shape.contextLength();
    JavaRDD<EncodedText> encoded = texts.zipWithIndex()
        .map(t -> new EncodedText("t" + t._2(), document(tokenizerOnExecutors.value(), t._1(), context)))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    List<int[]> heldOut = heldOut(tokenizer, context);
    int start0 = tokenizer.id(SpecialTokens.START_OF_TEXT);
    int end = tokenizer.id(SpecialTokens.END_OF_TEXT);
    try {
      return TrainingRun.train(spark, s, start, c.input(), "documents", encoded,
          (items, epoch) -> toMultiDataSet(items, context, threads), tokenizer, new TrainingRun.Job() {
            @Override
            public ModelArchitecture architecture() {
              return architecture;
            }

            @Override
            public ComputationGraph newModel(int totalSteps) {
              return LanguageModel.build(shape, s.optimiser().forSteps(totalSteps), DataType.FLOAT, s.seed());
            }

            @Override
            public List<org.deeplearning4j.optimize.api.TrainingListener> listeners() {
              return List.of();
            }

            @Override
            public Map<String, Double> progress(ComputationGraph model, double loss) {
              return Map.of("perplexity", Math.exp(loss));
            }

            @Override
            public Map<String, Double> evaluate(ComputationGraph model) {
              Map<String, Double> out = new LinkedHashMap<>();
              out.put("heldout/perplexity", perplexity(model, heldOut, context));
              int[] sample = Generation.generate(model, context, List.of(new int[] {start0}), context - 1, end,
                  Generation.Sampling.GREEDY).get(0);
              LOG.info("pretrain lm: greedy sample: {}", tokenizer.decode(sample, true));
              return out;
            }

            @Override
            public double learningRate(ComputationGraph model, int step) {
              return model.getLayer("block0").conf().getLayer().getUpdaterByParam("fcW").getLearningRate(step, 0);
            }

            @Override
            public String headline(Map<String, Double> evaluation) {
              return evaluation.entrySet().stream().map(e -> e.getKey() + " " + String.format("%.3f", e.getValue()))
                  .reduce((a, b) -> a + ", " + b).orElse("");
            }
          });
    } finally {
      encoded.unpersist(false);
      tokenizerOnExecutors.destroy();
    }
  }

  /** The corpus: successful pairs' captions, then the instruction file's conversations. */
  private JavaRDD<String> corpus(JavaSparkContext sc) throws IOException {
    JavaRDD<String> captions = Datasets.read(spark, c.input(), PairsSchema.SCHEMA)
        .filter(PairsSchema.STATUS + " = '" + PairStatus.SUCCESS.value() + "'")
        .select(PairsSchema.CAPTION).as(Encoders.STRING()).javaRDD();
    if (c.instructions().isEmpty()) {
      return captions;
    }
    List<String> conversations = conversations(c.instructions().get(), conf);
    LOG.info("pretrain lm: {} conversations from {}", conversations.size(), c.instructions().get());
    return captions.union(sc.parallelize(conversations, Math.max(1, sc.defaultParallelism())));
  }

  /** A LLaVA instruction file's conversations as text, in the {@link ChatTemplate} (start and end added later). */
  static List<String> conversations(String file, Configuration conf) throws IOException {
    JsonNode root = Json.MAPPER.readTree(HadoopFiles.readAll(new Path(file), conf));
    if (!root.isArray()) {
      throw new IOException(file + ": a LLaVA instruction file is a JSON list of {id, image, conversations}");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : root) {
      StringBuilder text = new StringBuilder();
      for (JsonNode turn : item.path("conversations")) {
        String role = turn.path("from").asText();
        ChatTemplate.Role speaker = switch (role) {
          case "human" -> ChatTemplate.Role.USER;
          case "gpt" -> ChatTemplate.Role.ASSISTANT;
          case "system" -> ChatTemplate.Role.SYSTEM;
          default -> throw new IOException(file + ": item " + item.path("id").asText() + " has a turn from '" + role
              + "' (expected human, gpt or system)");
        };
        text.append(ChatTemplate.turn(speaker, turn.path("value").asText()));
      }
      out.add(text.toString());
    }
    return out;
  }

  /** {@code <|startoftext|> tokens <|endoftext|>}, at most context + 1 tokens (inputs and shifted targets). */
  static int[] document(BpeTokenizer tokenizer, String text, int context) {
    return ClipInputs.tokens(tokenizer, text, context + 1);
  }

  static MultiDataSet toMultiDataSet(List<EncodedText> items, int context, int threads) {
    WorkerSetup.prepare(threads);
    List<int[]> seqs = new ArrayList<>(items.size());
    items.forEach(t -> seqs.add(t.tokens()));
    return LanguageModel.batch(seqs, LanguageModel.learnAll(seqs), context);
  }

  private List<int[]> heldOut(BpeTokenizer tokenizer, int context) throws IOException {
    if (c.eval().isEmpty()) {
      return List.of();
    }
    PretrainLmConfig.Eval e = c.eval().get();
    Path file = new Path(e.root(), e.captions());
    List<int[]> out = new ArrayList<>();
    for (String line : new String(HadoopFiles.readAll(file, conf), StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank() || out.size() >= e.maxTexts()) {
        continue;
      }
      for (JsonNode caption : Json.MAPPER.readTree(line).path("captions")) {
        if (out.size() < e.maxTexts()) {
          out.add(document(tokenizer, caption.asText(), context));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IOException(file + " has no captions for the held-out perplexity");
    }
    return out;
  }

  /** exp of the mean next-token cross-entropy over every held-out target token. */
  static double perplexity(ComputationGraph model, List<int[]> docs, int context) {
    double total = 0;
    double tokens = 0;
    for (int from = 0; from < docs.size(); from += EVAL_BATCH) {
      List<int[]> part = docs.subList(from, Math.min(docs.size(), from + EVAL_BATCH));
      MultiDataSet batch = LanguageModel.batch(part, LanguageModel.learnAll(part), context);
      double learned = batch.getLabels(0).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
          org.nd4j.linalg.indexing.NDArrayIndex.point(LmLoss.WEIGHT), org.nd4j.linalg.indexing.NDArrayIndex.all())
          .sumNumber().doubleValue();
      total += model.score(batch) * learned;   // the score is the mean over this batch's learned tokens
      tokens += learned;
    }
    return Math.exp(total / tokens);
  }
}
