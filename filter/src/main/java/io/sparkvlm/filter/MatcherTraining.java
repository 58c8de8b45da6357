package io.sparkvlm.filter;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.HardNegatives;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.WorkerSetup;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.training.EpochBatches;
import io.sparkvlm.training.TrainingImages;
import io.sparkvlm.training.Trainer;
import io.sparkvlm.training.vlm.VisionLanguageTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * BLIP's filter as spark-vlm builds it: the image-text matching model ({@link MatchingModel}) on the round-0 CLIP's
 * towers (initialised from them), fine-tuned on the seed pairs. Each minibatch of B positive pairs gets BLIP's hard
 * negatives ({@link HardNegatives}): for each image a text, for each text an image, drawn in proportion to
 * softmax(ITC similarity), pairs of the same seed image excluded. ITC is the round-0 CLIP's: its image and text
 * embeddings are computed once before training and travel with the items, scaled by its logit scale.
 */
final class MatcherTraining {
  private MatcherTraining() {}

  /**
   * One seed caption with its image, tokenised for the CLIP's text tower; {@code imageId} groups the captions of one
   * image; the CLIP's L2-normalised embeddings of the image and the caption.
   */
  record Item(String key, long imageId, byte[] image, int[] tokens, float[] imageEmbedding, float[] textEmbedding)
      implements EpochBatches.Keyed {}

  /** A web caption tokenised for the CLIP's text tower, with the CLIP's L2-normalised embedding of it. */
  record WebText(int[] tokens, float[] embedding) implements java.io.Serializable {}

  /**
   * {@code webTexts}: web captions, of which each pair's image gets {@code webNegatives} per step as NO_MATCH rows
   * (see {@link #batch}); {@code itc}: where a {@link MatchingModel.Head#FUSED_AND_ITC} head starts (empty for
   * BLIP's head).
   */
  record ModelTrainer(MatchingModel.Shape shape, long seed, int threads, double logitScale,
      ModelCheckpoints.Loaded clip, List<WebText> webTexts, int webNegatives,
      Optional<MatchingModel.ItcDecision> itc) implements Trainer<Item> {

    ModelTrainer {
      if ((shape.head() == MatchingModel.Head.FUSED_AND_ITC) != itc.isPresent()) {
        throw new IllegalArgumentException("the matcher's " + shape.head().configName() + " head "
            + (itc.isPresent() ? "takes no" : "needs an") + " ITC starting point");
      }
    }

    @Override
    public ModelArchitecture architecture() {
      return new ModelArchitecture.Matching(shape);
    }

    @Override
    public ComputationGraph newModel(Optimiser optimiser) {
      ComputationGraph itm = MatchingModel.build(shape, optimiser, DataType.FLOAT, seed);
      try {
        MatchingModel.initialiseFrom(itm, shape, clip.model());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      itc.ifPresent(decision -> MatchingModel.startFromItc(itm, shape, decision));
      return itm;
    }

    @Override
    public BatchBuilder<Item> batches() {
      MatchingModel.Shape s = shape;
      long sd = seed;
      int t = threads;
      double scale = logitScale;
      List<WebText> web = webTexts;
      int m = webNegatives;
      return (items, epoch) -> batch(items, s, sd, epoch, scale, t, web, m);
    }

    @Override
    public List<String> parents() {
      return List.of(clip.location());
    }
  }

  /** The CLIP's cosines of a minibatch: image i against text j. */
  static double[][] cosines(List<Item> items) {
    int n = items.size();
    double[][] cos = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        cos[i][j] = dot(items.get(i).imageEmbedding(), items.get(j).textEmbedding());
      }
    }
    return cos;
  }

  /** ITC logits of a minibatch: image i against text j, the CLIP's cosine times its logit scale. */
  static double[][] itcLogits(List<Item> items, double logitScale) {
    double[][] logits = cosines(items);
    for (double[] row : logits) {
      for (int j = 0; j < row.length; j++) {
        row[j] *= logitScale;
      }
    }
    return logits;
  }

  static double dot(float[] u, float[] v) {
    double dot = 0;
    for (int k = 0; k < u.length; k++) {
      dot += u[k] * v[k];
    }
    return dot;
  }

  /** The hard negatives of a minibatch, seeded by (seed, epoch, the batch's first key). */
  static HardNegatives.Picks negatives(List<Item> items, long seed, int epoch, double logitScale) {
    long[] ids = new long[items.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = items.get(i).imageId();
    }
    return HardNegatives.sample(itcLogits(items, logitScale), ids,
        new SplittableRandom(EpochBatches.order(seed, epoch, items.get(0).key()) ^ 0x3C6EF372FE94F82AL));
  }

  /**
   * The web captions each item's image gets as negatives in this epoch: {@code perItem} of {@code web}, drawn
   * uniformly by a stream seeded by (seed, epoch, the item's key), so whatever the partitioning.
   */
  static List<WebText> webNegatives(List<Item> items, List<WebText> web, int perItem, long seed, int epoch) {
    List<WebText> out = new ArrayList<>(items.size() * perItem);
    for (Item item : items) {
      SplittableRandom r = new SplittableRandom(EpochBatches.order(seed, epoch, item.key()) ^ 0x5851F42D4C957F2DL);
      for (int k = 0; k < perItem; k++) {
        out.add(web.get(r.nextInt(web.size())));
      }
    }
    return out;
  }

  static org.nd4j.linalg.dataset.api.MultiDataSet batch(List<Item> items, MatchingModel.Shape shape, long seed,
      int epoch, double logitScale, int threads, List<WebText> web, int webNegatives) {
    WorkerSetup.prepare(threads);
    int size = shape.vision().imageSize();
    List<float[]> pixels = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    for (Item item : items) {
      pixels.add(TrainingImages.cropped(item.image(), item.key(), seed, epoch,
          VisionLanguageTraining.MIN_CROP_SCALE, shape.vision()));
      tokens.add(item.tokens());
    }
    List<WebText> outside = webNegatives(items, web, webNegatives, seed, epoch);
    List<int[]> outsideTokens = new ArrayList<>(outside.size());
    double[] outsideCosines = new double[outside.size()];
    for (int r = 0; r < outside.size(); r++) {
      outsideTokens.add(outside.get(r).tokens());
      outsideCosines[r] = dot(items.get(r / webNegatives).imageEmbedding(), outside.get(r).embedding());
    }
    Optional<MatchingModel.Cosines> cosines = shape.head() == MatchingModel.Head.FUSED_AND_ITC
        ? Optional.of(new MatchingModel.Cosines(cosines(items), outsideCosines)) : Optional.empty();
    return MatchingModel.batch(shape, ClipInputs.images(pixels, size), tokens,
        negatives(items, seed, epoch, logitScale), outsideTokens, cosines);
  }
}
