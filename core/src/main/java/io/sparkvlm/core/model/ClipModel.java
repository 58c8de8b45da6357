package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.layers.CorrectedSameDiffLayer;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.TokenPool;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.VisionEmbedding;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import io.sparkvlm.core.model.training.Optimiser;

/**
 * CLIP as a DL4J ComputationGraph, OpenCLIP's layout, from a {@link ClipShape}:
 *
 * <pre>
 *   image [B, 3, S, S] -> VisionEmbedding -> TransformerBlock x L -> TokenPool(first) -> imageEmbedding [B, E]
 *   text  [B, 1, T]    -> TokenTable, TextPositions -> TransformerBlock x L (causal) -> TokenPool(last) -> textEmbedding
 *   [imageEmbedding | textEmbedding] -> ClipLoss (symmetric InfoNCE, learnable logit scale)
 * </pre>
 *
 * Inputs "image" and "text" (token ids; the text mask marks real tokens, end-of-text included); labels are unused
 * zeros of shape [B, 2E].
 */
public final class ClipModel {
  public static final String IMAGE = "image";
  public static final String TEXT = "text";
  public static final String IMAGE_EMBEDDING = "imageEmbedding";
  public static final String TEXT_EMBEDDING = "textEmbedding";
  public static final String LOSS = "loss";

  private ClipModel() {}

  /** Which towers train. LOCKED_IMAGE is LiT (locked-image tuning): the image tower is frozen. */
  public enum Trainable { ALL, LOCKED_IMAGE }

  public static ComputationGraphConfiguration configuration(ClipShape s, IUpdater updater, DataType dataType,
      long seed) {
    return configuration(s, new NeuralNetConfiguration.Builder().updater(updater), dataType, seed, Trainable.ALL);
  }

  /** The training configuration: AdamW, schedule, weight decay and clipping from {@code optimiser}. */
  public static ComputationGraphConfiguration configuration(ClipShape s, Optimiser optimiser, DataType dataType,
      long seed, Trainable trainable) {
    return configuration(s, optimiser.applyTo(new NeuralNetConfiguration.Builder()), dataType, seed, trainable);
  }

  public static ComputationGraphConfiguration configuration(ClipShape s, IUpdater updater, DataType dataType,
      long seed, Trainable trainable) {
    return configuration(s, new NeuralNetConfiguration.Builder().updater(updater), dataType, seed, trainable);
  }

  private static ComputationGraphConfiguration configuration(ClipShape s, NeuralNetConfiguration.Builder base,
      DataType dataType, long seed, Trainable trainable) {
    java.util.function.Function<CorrectedSameDiffLayer, org.deeplearning4j.nn.conf.layers.Layer> vision =
        trainable == Trainable.ALL ? l -> l : ClipModel::frozen;
    var b = base.dataType(dataType).seed(seed).graphBuilder()
        .addInputs(IMAGE, TEXT)
        .setInputTypes(InputType.convolutional(s.imageSize(), s.imageSize(), 3),
            InputType.recurrent(1, s.contextLength()));
    b.addLayer("visionStem", vision.apply(new VisionEmbedding(s.imageSize(), s.patchSize(), s.vision().width())),
        IMAGE);
    String last = "visionStem";
    for (int i = 0; i < s.vision().layers(); i++) {
      String name = "visionBlock" + i;
      b.addLayer(name, vision.apply(new TransformerBlock(s.vision().width(), s.vision().heads(),
          s.vision().mlpRatio(), s.patches() + 1, false)), last);
      last = name;
    }
    b.addLayer(IMAGE_EMBEDDING, vision.apply(new TokenPool(s.vision().width(), s.embedDim(), s.patches() + 1,
        TokenPool.Pick.FIRST)), last);
    last = TextStem.add(b, TEXT, s.vocabSize(), s.contextLength(), s.text().width());
    for (int i = 0; i < s.text().layers(); i++) {
      String name = "textBlock" + i;
      b.addLayer(name, new TransformerBlock(s.text().width(), s.text().heads(), s.text().mlpRatio(),
          s.contextLength(), true), last);
      last = name;
    }
    b.addLayer(TEXT_EMBEDDING, new TokenPool(s.text().width(), s.embedDim(), s.contextLength(),
        TokenPool.Pick.LAST), last);
    b.addVertex("pair", new MergeVertex(), IMAGE_EMBEDDING, TEXT_EMBEDDING);
    b.addLayer(LOSS, new ClipLoss(s.embedDim()), "pair");
    return b.setOutputs(LOSS).build();
  }

  /** A frozen layer: no gradient step and no weight decay (see CorrectedSameDiffLayer#exemptFromWeightDecay). */
  private static org.deeplearning4j.nn.conf.layers.Layer frozen(CorrectedSameDiffLayer layer) {
    return new org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop(layer.exemptFromWeightDecay());
  }

  public static ComputationGraph build(ClipShape s, IUpdater updater, DataType dataType, long seed) {
    return build(s, updater, dataType, seed, Trainable.ALL);
  }

  public static ComputationGraph build(ClipShape s, Optimiser optimiser, DataType dataType, long seed,
      Trainable trainable) {
    ComputationGraph g = new ComputationGraph(configuration(s, optimiser, dataType, seed, trainable));
    g.init();
    return g;
  }

  public static ComputationGraph build(ClipShape s, IUpdater updater, DataType dataType, long seed,
      Trainable trainable) {
    ComputationGraph g = new ComputationGraph(configuration(s, updater, dataType, seed, trainable));
    g.init();
    return g;
  }
}
