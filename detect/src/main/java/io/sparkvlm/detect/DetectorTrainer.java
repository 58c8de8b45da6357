package io.sparkvlm.detect;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.DetectorModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.WorkerSetup;
import io.sparkvlm.core.model.detection.DetectionLabels;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.training.EpochBatches;
import io.sparkvlm.training.Trainer;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The detector's {@link Trainer}: one item per training image (its boxes, normalised to the centre crop the model
 * reads); a minibatch is the images and {@link DetectionLabels} holding the training queries' text embeddings
 * (computed once on the driver from the CLIP's text tower) and the boxes. Images are not randomly cropped: the boxes
 * would move with the crop.
 *
 * @param queryEmbeddings [Q][D] unit text embeddings of the training queries, in query-index order
 */
record DetectorTrainer(DetectorModel.Shape shape, DetectorModel.Trainable trainable, long seed, int threads,
    ClipStart clip, double[][] queryEmbeddings) implements Trainer<DetectorTrainer.Item> {

  /** One training image: its key (the file name), encoded bytes and boxes. */
  record Item(String key, byte[] image, DetectionLabels.Truth truth) implements EpochBatches.Keyed {}

  /** The CLIP the detector starts from: its location (the checkpoint's parent) and model. */
  record ClipStart(String location, ComputationGraph model) {}

  @Override
  public ModelArchitecture architecture() {
    return new ModelArchitecture.Detector(shape);
  }

  @Override
  public ComputationGraph newModel(Optimiser optimiser) {
    ComputationGraph g = DetectorModel.build(shape, optimiser, DataType.FLOAT, seed, trainable);
    DetectorModel.initialiseFrom(g, shape, clip.model());
    return g;
  }

  @Override
  public BatchBuilder<Item> batches() {
    DetectorModel.Shape s = shape;
    double[][] q = queryEmbeddings;
    int t = threads;
    return (items, epoch) -> batch(items, s, q, t);
  }

  @Override
  public List<String> parents() {
    return List.of(clip.location());
  }

  static MultiDataSet batch(List<Item> items, DetectorModel.Shape s, double[][] queries, int threads) {
    WorkerSetup.prepare(threads);
    int size = s.vision().imageSize();
    List<float[]> pixels = new ArrayList<>();
    List<DetectionLabels.Truth> truths = new ArrayList<>();
    for (Item item : items) {
      try {
        pixels.add(CocoInstances.framedPixels(item.image(), s.vision()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("detection training image " + item.key() + ": " + e.getMessage(), e);
      }
      truths.add(item.truth());
    }
    INDArray labels = s.labels().encode(queries, truths);
    return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {ClipInputs.images(pixels, size)},
        new INDArray[] {labels});
  }
}
