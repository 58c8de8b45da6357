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

  /**
   * {@code webTexts}: tokenised web captions, of which each pair's image gets {@code webNegatives} per step as
   * NO_MATCH rows (see {@link #batch}).
   */
  record ModelTrainer(MatchingModel.Shape shape, long seed, int threads, double logitScale,
      ModelCheckpoints.Loaded clip, List<int[]> webTexts, int webNegatives) implements Trainer<Item> {

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
      return itm;
    }

    @Override
    public BatchBuilder<Item> batches() {
      MatchingModel.Shape s = shape;
      long sd = seed;
      int t = threads;
      double scale = logitScale;
      List<int[]> web = webTexts;
      int m = webNegatives;
      return (items, epoch) -> batch(items, s, sd, epoch, scale, t, web, m);
    }

    @Override
    public List<String> parents() {
      return List.of(clip.location());
    }
  }

  /** ITC logits of a minibatch: image i against text j, the CLIP's cosine times its logit scale. */
  static double[][] itcLogits(List<Item> items, double logitScale) {
    int n = items.size();
    double[][] logits = new double[n][n];
    for (int i = 0; i < n; i++) {
      float[] u = items.get(i).imageEmbedding();
      for (int j = 0; j < n; j++) {
        float[] v = items.get(j).textEmbedding();
        double dot = 0;
        for (int k = 0; k < u.length; k++) {
          dot += u[k] * v[k];
        }
        logits[i][j] = logitScale * dot;
      }
    }
    return logits;
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
  static List<int[]> webNegatives(List<Item> items, List<int[]> web, int perItem, long seed, int epoch) {
    List<int[]> out = new ArrayList<>(items.size() * perItem);
    for (Item item : items) {
      SplittableRandom r = new SplittableRandom(EpochBatches.order(seed, epoch, item.key()) ^ 0x5851F42D4C957F2DL);
      for (int k = 0; k < perItem; k++) {
        out.add(web.get(r.nextInt(web.size())));
      }
    }
    return out;
  }

  static org.nd4j.linalg.dataset.api.MultiDataSet batch(List<Item> items, MatchingModel.Shape shape, long seed,
      int epoch, double logitScale, int threads, List<int[]> web, int webNegatives) {
    WorkerSetup.prepare(threads);
    int size = shape.vision().imageSize();
    List<float[]> pixels = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    for (Item item : items) {
      pixels.add(TrainingImages.cropped(item.image(), item.key(), seed, epoch,
          VisionLanguageTraining.MIN_CROP_SCALE, size));
      tokens.add(item.tokens());
    }
    return MatchingModel.batch(shape, ClipInputs.images(pixels, size), tokens,
        negatives(items, seed, epoch, logitScale), webNegatives(items, web, webNegatives, seed, epoch));
  }
}
