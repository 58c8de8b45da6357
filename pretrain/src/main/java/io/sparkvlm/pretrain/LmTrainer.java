package io.sparkvlm.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfiguredFiles;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.LlavaConversations;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.JsonLines;
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
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.training.EpochBatches;
import io.sparkvlm.training.Trainer;
import io.sparkvlm.training.TrainingItems;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.TrainingSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
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

  /**
   * A text of the corpus with a key that does not depend on how the input is laid out in files: a caption's is its
   * pair's key, a conversation's its place in the instruction file. The keys order the epochs' batches
   * ({@link EpochBatches}), so the same rows in other files train the same LM.
   */
  record KeyedText(String key, String text) implements java.io.Serializable {}

  static final String CAPTION_KEY_PREFIX = "pair-";
  static final String CONVERSATION_KEY_PREFIX = "conversation-";

  String train() throws IOException {
    TrainingSettings s = c.training();
    if (c.instructions().isPresent()) {
      ConfiguredFiles.requireAll(PretrainLmConfig.INSTRUCTIONS, List.of(new Path(c.instructions().get())), conf);
    }
    LanguageModel.Shape shape = c.shape();
    ModelArchitecture architecture = new ModelArchitecture.Language(shape);
    TrainingRun.Start start = TrainingRun.start(s, architecture, conf);
    int threads = TrainingRun.threads(spark, s);
    Nd4jThreads.set(threads);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<KeyedText> corpus = corpus(sc);
    JavaRDD<String> texts = corpus.map(KeyedText::text);
    if (c.eval().isPresent()) {
      ConfiguredFiles.requireAll(PretrainLmConfig.EVAL, List.of(c.eval().get().file()), conf);
    }
    BpeTokenizer tokenizer = TrainingRun.tokenizer(start, s, texts, shape.vocabSize(), conf);
    TrainingRun.checkVocabulary(tokenizer, shape.vocabSize(), shape.name());
    LOG.info("pretrain lm: model {} ({} parameters, {} GFLOP per training sequence)", shape.name(), shape.params(),
        String.format("%.3f", 3 * shape.forwardFlopsPerSample() / 1e9));
    Broadcast<BpeTokenizer> onExecutors = sc.broadcast(tokenizer);
    int context = shape.contextLength();
    JavaRDD<EncodedText> encoded = corpus.map(t -> new EncodedText(t.key(), document(onExecutors.value(), t.text(),
        context)));
    List<String> inputs = new ArrayList<>(List.of(c.input()));
    c.instructions().ifPresent(inputs::add);
    try (TrainingItems<EncodedText> items = TrainingItems.persist(encoded, onExecutors)) {
      return TrainingRun.train(spark, s, start, inputs, "documents", items.rdd(), tokenizer,
          new LmModelTrainer(shape, architecture, s.seed(), threads, heldOut(tokenizer, context), tokenizer));
    }
  }

  /** What the decoder LM supplies to the loop. */
  private record LmModelTrainer(LanguageModel.Shape shape, ModelArchitecture architecture, long seed, int threads,
      List<int[]> heldOut, BpeTokenizer tokenizer) implements Trainer<EncodedText> {

    @Override
    public ComputationGraph newModel(Optimiser optimiser) {
      return LanguageModel.build(shape, optimiser, DataType.FLOAT, seed);
    }

    @Override
    public BatchBuilder<EncodedText> batches() {
      int context = shape.contextLength();
      int t = threads;
      return (items, epoch) -> toMultiDataSet(items, context, t);
    }

    @Override
    public Map<String, Double> progress(ComputationGraph model, double loss) {
      return Map.of("perplexity", Math.exp(loss));
    }

    @Override
    public Map<String, Double> evaluate(ComputationGraph model) {
      if (heldOut.isEmpty()) {
        return Map.of();
      }
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("heldout/perplexity", perplexity(model, heldOut, shape.contextLength()));
      int[] sample = Generation.generate(model, shape.contextLength(),
          List.of(new int[] {tokenizer.id(SpecialTokens.START_OF_TEXT)}), shape.contextLength() - 1,
          tokenizer.id(SpecialTokens.END_OF_TEXT), Generation.Sampling.GREEDY.within(tokenizer.vocabSize())).get(0);
      LOG.info("pretrain lm: greedy sample: {}", tokenizer.decode(sample, true));
      return out;
    }
  }

  /** The corpus: successful pairs' captions, then the instruction file's conversations. */
  private JavaRDD<KeyedText> corpus(JavaSparkContext sc) throws IOException {
    JavaRDD<KeyedText> captions = TrainingRun.successfulPairs(spark, PretrainLmConfig.INPUT, c.input())
        .select(PairsSchema.KEY, PairsSchema.CAPTION).javaRDD()
        .map(r -> new KeyedText(CAPTION_KEY_PREFIX + r.<String>getAs(PairsSchema.KEY), r.getAs(PairsSchema.CAPTION)));
    if (c.instructions().isEmpty()) {
      return captions;
    }
    List<String> conversations = conversations(c.instructions().get(), conf);
    LOG.info("pretrain lm: {} conversations from {}", conversations.size(), c.instructions().get());
    List<KeyedText> keyed = new ArrayList<>(conversations.size());
    for (int i = 0; i < conversations.size(); i++) {
      keyed.add(new KeyedText(CONVERSATION_KEY_PREFIX + i, conversations.get(i)));
    }
    return captions.union(sc.parallelize(keyed, Math.max(1, sc.defaultParallelism())));
  }

  /** A LLaVA instruction file's conversations as text, in the {@link ChatTemplate} (start and end added later). */
  static List<String> conversations(String file, Configuration conf) {
    List<String> out = new ArrayList<>();
    for (LlavaConversations.Item item : LlavaConversations.read(new Path(file), conf)) {
      StringBuilder text = new StringBuilder();
      item.turns().forEach(t -> text.append(ChatTemplate.turn(t.role(), t.text())));
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
    Path file = e.file();
    List<int[]> out = new ArrayList<>();
    for (JsonLines.Line line : JsonLines.read(file, conf, DatasetError::new)) {
      if (out.size() >= e.maxTexts()) {
        break;
      }
      for (JsonNode caption : line.json().path("captions")) {
        if (out.size() < e.maxTexts()) {
          out.add(document(tokenizer, caption.asText(), context));
        }
      }
    }
    if (out.isEmpty()) {
      throw new DatasetError(file + " (" + PretrainLmConfig.EVAL + ") has no captions for the held-out perplexity");
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
