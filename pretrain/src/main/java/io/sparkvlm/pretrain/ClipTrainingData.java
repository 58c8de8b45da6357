package io.sparkvlm.pretrain;

import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.WorkerSetup;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.training.EpochBatches;
import io.sparkvlm.training.TrainingImages;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Training data for CLIP, built on the executors: pairs tokenised once ({@link #encode}); each epoch's minibatches
 * ({@link EpochBatches}) decoded, randomly cropped and stacked into a MultiDataSet only when trained on
 * ({@link #toMultiDataSet}). Nothing is collected to the driver.
 */
final class ClipTrainingData {
  private ClipTrainingData() {}

  /** One pair, tokenised; the image still encoded (JPEG/PNG bytes are far smaller than its tensor). */
  record EncodedPair(String key, byte[] image, int[] tokens) implements EpochBatches.Keyed {}

  static JavaRDD<EncodedPair> encode(Dataset<Row> pairs, Broadcast<Tokenizer> tokenizer, int contextLength) {
    return pairs.select(PairsSchema.KEY, PairsSchema.IMAGE, PairsSchema.CAPTION).javaRDD()
        .map(r -> new EncodedPair(r.getAs(PairsSchema.KEY), r.getAs(PairsSchema.IMAGE),
            ClipInputs.tokens(tokenizer.value(), r.getAs(PairsSchema.CAPTION), contextLength)));
  }

  /** Decodes, crops and stacks one minibatch; the crops are seeded by (seed, epoch, key). */
  static MultiDataSet toMultiDataSet(List<EncodedPair> items, ClipShape shape, long seed, int epoch,
      double minCropScale, int nd4jThreads) {
    // this runs on the executor before its training worker builds the network
    WorkerSetup.prepare(nd4jThreads);
    List<float[]> pixels = new ArrayList<>(items.size());
    List<int[]> tokens = new ArrayList<>(items.size());
    for (EncodedPair p : items) {
      pixels.add(TrainingImages.cropped(p.image(), p.key(), seed, epoch, minCropScale, shape.visionTower()));
      tokens.add(p.tokens());
    }
    return ClipInputs.batch(pixels, tokens, shape);
  }
}
