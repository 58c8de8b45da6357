package io.sparkvlm.filter;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.WorkerSetup;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.training.EpochBatches;
import io.sparkvlm.training.Trainer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * BLIP's captioner as spark-vlm builds it: an image-grounded decoder, the round-0 CLIP's vision tower, a connector
 * and the pretrained LM ({@link VisionLanguageModel}, initialised from both), fine-tuned with the LM loss on the seed
 * captions: the image's visual tokens, then {@code <|startoftext|> caption <|endoftext|>}, every caption token and
 * the end token learned (LLaVA's "plain" template).
 */
final class CaptionerTraining {
  /** Random crops keep at least this share of the square (mild: captions name sizes and places). */
  static final double MIN_CROP_SCALE = 0.9;

  private CaptionerTraining() {}

  /** One seed caption with its image, tokenised for the LM. */
  record Item(String key, byte[] image, int[] tokens) implements EpochBatches.Keyed {}

  record ModelTrainer(VisionLanguageModel.Shape shape, VisionLanguageModel.Trainable trainable, long seed,
      int threads, ModelCheckpoints.Loaded clip, ModelCheckpoints.Loaded lm) implements Trainer<Item> {

    @Override
    public ModelArchitecture architecture() {
      return new ModelArchitecture.VisionLanguage(shape);
    }

    @Override
    public ComputationGraph newModel(Optimiser optimiser) {
      ComputationGraph vlm = VisionLanguageModel.build(shape, optimiser, DataType.FLOAT, seed, trainable);
      try {
        VisionLanguageModel.initialiseFrom(vlm, shape, clip.model(), lm.model());
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
      return List.of(clip.location(), lm.location());
    }
  }

  /** Decodes, crops (seeded by (seed, epoch, key)) and stacks one minibatch. */
  static org.nd4j.linalg.dataset.api.MultiDataSet batch(List<Item> items, VisionLanguageModel.Shape shape, long seed,
      int epoch, int threads) {
    WorkerSetup.prepare(threads);
    int size = shape.vision().imageSize();
    List<float[]> pixels = new ArrayList<>();
    List<int[]> seqs = new ArrayList<>();
    for (Item item : items) {
      BufferedImage image = ClipInputs.decode(item.image());
      SplittableRandom r = new SplittableRandom(EpochBatches.order(seed, epoch, item.key()) ^ 0x5DEECE66DL);
      pixels.add(ClipInputs.pixels(image, ClipInputs.Crop.random(image.getWidth(), image.getHeight(),
          MIN_CROP_SCALE, r), size));
      seqs.add(item.tokens());
    }
    return VisionLanguageModel.batch(shape, ClipInputs.images(pixels, size), seqs, LanguageModel.learnAll(seqs));
  }
}
