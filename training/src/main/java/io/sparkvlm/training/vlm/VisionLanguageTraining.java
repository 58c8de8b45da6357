package io.sparkvlm.training.vlm;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.Weights;
import io.sparkvlm.core.model.WorkerSetup;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.training.EpochBatches;
import io.sparkvlm.training.Trainer;
import io.sparkvlm.training.TrainingImages;
import io.sparkvlm.training.TrainingItems;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.TrainingSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training a {@link VisionLanguageModel} with the LM loss on (image, token sequence, which tokens are learned)
 * items: BLIP's captioner (filter), LLaVA's stage 1 (align: captions, the connector alone) and stage 2 (instruct:
 * conversations, connector and LM). What trains is the model's {@link VisionLanguageModel.Trainable}; where the
 * weights start is a {@link Start}.
 */
public final class VisionLanguageTraining {
  private static final Logger LOG = LoggerFactory.getLogger(VisionLanguageTraining.class);
  /** Random crops keep at least this share of the square (mild: captions name sizes and places). */
  public static final double MIN_CROP_SCALE = 0.9;

  private VisionLanguageTraining() {}

  /** One training sequence with its image: {@code learn[t]} says whether token t is a target. */
  public record Item(String key, byte[] image, int[] tokens, boolean[] learn) implements EpochBatches.Keyed {
    public Item {
      if (learn.length != tokens.length) {
        throw new IllegalArgumentException(key + ": " + tokens.length + " tokens but " + learn.length
            + " learn flags");
      }
    }

    /** A caption in LLaVA's "plain" template: every token after the start token learned. */
    public static Item plain(String key, byte[] image, int[] tokens) {
      return new Item(key, image, tokens, LanguageModel.learnAll(List.of(tokens)).get(0));
    }
  }

  /** Where a new model's weights come from. */
  public sealed interface Start {
    /** The checkpoints this model descends from (recorded in its manifest). */
    List<String> parents();

    /** Copies the starting weights into a freshly built model. */
    void initialise(ComputationGraph vlm, VisionLanguageModel.Shape shape) throws IOException;
  }

  /** LLaVA's and BLIP's beginning: a CLIP's vision tower and an LM's decoder; the connector starts at random. */
  public record FromTowers(ModelCheckpoints.Loaded clip, ModelCheckpoints.Loaded lm) implements Start {
    @Override
    public List<String> parents() {
      return List.of(clip.location(), lm.location());
    }

    @Override
    public void initialise(ComputationGraph vlm, VisionLanguageModel.Shape shape) throws IOException {
      VisionLanguageModel.initialiseFrom(vlm, shape, clip.model(), lm.model());
    }
  }

  /** A vision-language checkpoint of the same shape (stage 2 from stage 1): every layer's weights. */
  public record FromModel(ModelCheckpoints.Loaded vlm) implements Start {
    @Override
    public List<String> parents() {
      return List.of(vlm.location());
    }

    @Override
    public void initialise(ComputationGraph to, VisionLanguageModel.Shape shape) throws IOException {
      ComputationGraph from = vlm.model();
      List<String> layers = new ArrayList<>();
      for (GraphVertex v : to.getVertices()) {
        if (v.hasLayer() && v.getLayer().numParams() > 0) {
          layers.add(v.getVertexName());
        }
      }
      Weights.copyLayers(to, new Weights.Source(from, layers));
    }
  }

  /** The {@link Trainer} of a vision-language model of {@code shape}. */
  public record ModelTrainer(VisionLanguageModel.Shape shape, VisionLanguageModel.Trainable trainable, long seed,
      int threads, Start start) implements Trainer<Item> {

    @Override
    public ModelArchitecture architecture() {
      return new ModelArchitecture.VisionLanguage(shape);
    }

    @Override
    public ComputationGraph newModel(Optimiser optimiser) {
      ComputationGraph vlm = VisionLanguageModel.build(shape, optimiser, DataType.FLOAT, seed, trainable);
      try {
        start.initialise(vlm, shape);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return vlm;
    }

    @Override
    public BatchBuilder<Item> batches() {
      VisionLanguageModel.Shape s = shape;
      long sd = seed;
      int t = threads;
      return (items, epoch) -> batch(items, s, sd, epoch, t);
    }

    @Override
    public List<String> parents() {
      return start.parents();
    }
  }

  /**
   * Trains {@code shape} on {@code items} with {@code trainable} layers, from {@code from}, by the shared loop
   * ({@link TrainingRun}: resume or refuse per the settings, checkpoints under the settings' output); returns the
   * run's summary line. {@code broadcasts} are released with the items.
   */
  public static String train(SparkSession spark, TrainingSettings s, VisionLanguageModel.Shape shape,
      VisionLanguageModel.Trainable trainable, Start from, BpeTokenizer tokenizer, List<String> inputs, String what,
      JavaRDD<Item> items, Broadcast<?>... broadcasts) throws IOException {
    TrainingRun.checkVocabulary(tokenizer, shape.lm().vocabSize(), shape.lm().name());
    TrainingRun.Start start = TrainingRun.start(s, new ModelArchitecture.VisionLanguage(shape),
        spark.sparkContext().hadoopConfiguration());
    int threads = TrainingRun.threads(spark, s);
    Nd4jThreads.set(threads);
    LOG.info("{}: model {} ({} parameters, {} trainable), {} training, from {}", TrainingRun.stage(s),
        shape.name(), shape.params(), shape.trainableParams(trainable), trainable, from.parents());
    try (TrainingItems<Item> rdd = TrainingItems.persist(items, broadcasts)) {
      return TrainingRun.train(spark, s, start, inputs, what, rdd.rdd(), tokenizer,
          new ModelTrainer(shape, trainable, s.seed(), threads, from));
    }
  }

  /** Decodes, crops (seeded by (seed, epoch, key)) and stacks one minibatch. */
  public static MultiDataSet batch(List<Item> items, VisionLanguageModel.Shape shape, long seed, int epoch,
      int threads) {
    WorkerSetup.prepare(threads);
    int size = shape.vision().imageSize();
    List<float[]> pixels = new ArrayList<>();
    List<int[]> seqs = new ArrayList<>();
    List<boolean[]> learn = new ArrayList<>();
    for (Item item : items) {
      pixels.add(TrainingImages.cropped(item.image(), item.key(), seed, epoch, MIN_CROP_SCALE, shape.vision()));
      seqs.add(item.tokens());
      learn.add(item.learn());
    }
    return VisionLanguageModel.batch(shape, ClipInputs.images(pixels, size), seqs, learn);
  }
}
