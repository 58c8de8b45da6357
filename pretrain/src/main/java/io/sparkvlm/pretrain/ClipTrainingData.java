package io.sparkvlm.pretrain;

import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.SameDiffStdout;
import io.sparkvlm.core.text.BpeTokenizer;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;

/**
 * Training data for CLIP, built on the executors: pairs tokenised once ({@link #encode}); every epoch a seeded
 * shuffle cut into minibatches of exactly {@code batchSize} pairs ({@link #epochBatches}, incomplete batches
 * dropped as OpenCLIP does); each minibatch decoded, randomly cropped and stacked into a MultiDataSet only when
 * it is trained on ({@link #toMultiDataSet}). Nothing is collected to the driver.
 */
final class ClipTrainingData {
  private ClipTrainingData() {}

  /** One pair, tokenised; the image still encoded (JPEG/PNG bytes are far smaller than its tensor). */
  record EncodedPair(String key, byte[] image, int[] tokens) implements Serializable {}

  static JavaRDD<EncodedPair> encode(Dataset<Row> pairs, Broadcast<BpeTokenizer> tokenizer, int contextLength) {
    return pairs.select(PairsSchema.KEY, PairsSchema.IMAGE, PairsSchema.CAPTION).javaRDD()
        .map(r -> new EncodedPair(r.getString(0), (byte[]) r.get(1),
            ClipInputs.tokens(tokenizer.value(), r.getString(2), contextLength)));
  }

  /**
   * The epoch's minibatches keyed by their index 0..usableBatches-1: pairs in the order of a hash of
   * (seed, epoch, key), which does not depend on partitioning, so a resumed run sees the same batches.
   */
  static JavaPairRDD<Long, List<EncodedPair>> epochBatches(JavaRDD<EncodedPair> pairs, long seed, int epoch,
      int batchSize, long usableBatches) {
    long usablePairs = usableBatches * batchSize;
    return pairs.mapToPair(p -> new Tuple2<>(order(seed, epoch, p.key()), p))
        .sortByKey()
        .values()
        .zipWithIndex()
        .filter(t -> t._2() < usablePairs)
        .mapToPair(t -> new Tuple2<>(t._2() / batchSize, t._1()))
        .groupByKey()
        .mapValues(items -> {
          List<EncodedPair> list = new ArrayList<>();
          items.forEach(list::add);
          list.sort(Comparator.comparingLong(p -> order(seed, epoch, p.key())));
          return list;
        });
  }

  /** Decodes, crops and stacks one minibatch; the crops are seeded by (seed, epoch, key). */
  static MultiDataSet toMultiDataSet(List<EncodedPair> items, ClipShape shape, long seed, int epoch,
      double minCropScale, int nd4jThreads) {
    // this runs on the executor before its training worker builds the network
    SameDiffStdout.quiet();
    Nd4jThreads.set(nd4jThreads);
    List<float[]> pixels = new ArrayList<>(items.size());
    List<int[]> tokens = new ArrayList<>(items.size());
    for (EncodedPair p : items) {
      BufferedImage image;
      try {
        image = ClipInputs.decode(p.image());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("pair " + p.key() + ": " + e.getMessage(), e);
      }
      SplittableRandom r = new SplittableRandom(order(seed, epoch, p.key()) ^ 0x5DEECE66DL);
      pixels.add(ClipInputs.pixels(image, ClipInputs.Crop.random(image.getWidth(), image.getHeight(), minCropScale,
          r), shape.imageSize()));
      tokens.add(p.tokens());
    }
    return ClipInputs.batch(pixels, tokens, shape);
  }

  /** A 64-bit hash of (seed, epoch, key): FNV-1a over the key, mixed with SplittableRandom's finaliser. */
  static long order(long seed, int epoch, String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return new SplittableRandom(h ^ seed * 0x9E3779B97F4A7C15L ^ (long) epoch * 0xC2B2AE3D27D4EB4FL).nextLong();
  }
}
