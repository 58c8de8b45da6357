package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.TokenPool;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.VisionEmbedding;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.layers.Layer;
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
 *   image [B, 3, S, S] -> VisionEmbedding -> TransformerBlock x L -> TokenPool(first, or max over the patches)
 *                      -> imageEmbedding [B, E]
 *   text  [B, 1, T]    -> TextStem (TokenTable, TextPositions) -> TransformerBlock x L (causal)
 *                      -> TokenPool(last) -> textEmbedding [B, E]
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
  /** Layer names other models share, so trained towers copy across ({@link Weights}). */
  public static final String VISION_STEM = "visionStem";
  public static final String VISION_BLOCK = "visionBlock";
  public static final String TEXT_BLOCK = "textBlock";

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
    Function<Freezable, Layer> vision = trainable == Trainable.ALL ? Freezable::trained : ClipModel::frozen;
    var b = base.dataType(dataType).seed(seed).graphBuilder()
        .addInputs(IMAGE, TEXT)
        .setInputTypes(InputType.convolutional(s.imageSize(), s.imageSize(), 3),
            InputType.recurrent(1, s.contextLength()));
    String last = addVisionTower(b, IMAGE, s.visionTower(), s.vision().layers(), vision);
    b.addLayer(IMAGE_EMBEDDING, vision.apply(new TokenPool(s.vision().width(), s.embedDim(), s.patches() + 1,
        s.imagePool().pick())), last);
    last = TextStem.add(b, TEXT, s.vocabSize(), s.contextLength(), s.text().width());
    for (int i = 0; i < s.text().layers(); i++) {
      String name = TEXT_BLOCK + i;
      b.addLayer(name, new TransformerBlock(s.text().width(), s.text().heads(), s.text().mlpRatio(),
          s.contextLength(), true, s.text().gelu()), last);
      last = name;
    }
    b.addLayer(TEXT_EMBEDDING, new TokenPool(s.text().width(), s.embedDim(), s.contextLength(),
        TokenPool.Pick.LAST), last);
    b.addVertex("pair", new MergeVertex(), IMAGE_EMBEDDING, TEXT_EMBEDDING);
    b.addLayer(LOSS, new ClipLoss(s.embedDim()), "pair");
    return b.setOutputs(LOSS).build();
  }

  /**
   * The ViT's stem and its first {@code layers} blocks ({@link #VISION_STEM}, {@link #VISION_BLOCK}i) after
   * {@code input}, each through {@code wrap} (freezing); returns the last layer's name. [B, 3, S, S] in,
   * [B, 1 + patches, width] out (the activations as feedForward returns them).
   */
  static String addVisionTower(GraphBuilder b, String input, VisionTower s, int layers,
      Function<Freezable, Layer> wrap) {
    ClipShape.Tower v = s.tower();
    b.addLayer(VISION_STEM, wrap.apply(new VisionEmbedding(s.imageSize(), s.patchSize(), v.width())), input);
    String last = VISION_STEM;
    for (int i = 0; i < layers; i++) {
      String name = VISION_BLOCK + i;
      b.addLayer(name, wrap.apply(new TransformerBlock(v.width(), v.heads(), v.mlpRatio(), s.tokens(), false,
          v.gelu())), last);
      last = name;
    }
    return last;
  }

  /** The names of the stem and the first {@code layers} blocks of the vision tower. */
  public static List<String> visionTowerLayers(int layers) {
    List<String> out = new ArrayList<>(List.of(VISION_STEM));
    for (int i = 0; i < layers; i++) {
      out.add(VISION_BLOCK + i);
    }
    return out;
  }

  /**
   * The layers an image passes through to its embedding, in order: {@link #VISION_STEM}, the blocks,
   * {@link #IMAGE_EMBEDDING}. Each takes the previous one's output alone, so the image tower can run without the text
   * tower ({@link ClipEmbeddings}).
   */
  public static List<String> imageTowerPath(ClipShape s) {
    List<String> out = visionTowerLayers(s.vision().layers());
    out.add(IMAGE_EMBEDDING);
    return out;
  }

  /**
   * The layers a text passes through to its embedding, in order: the text stem's two, the blocks,
   * {@link #TEXT_EMBEDDING}.
   */
  public static List<String> textTowerPath(ClipShape s) {
    List<String> out = new ArrayList<>(List.of(TextStem.TOKENS, TextStem.STEM));
    for (int i = 0; i < s.text().layers(); i++) {
      out.add(TEXT_BLOCK + i);
    }
    out.add(TEXT_EMBEDDING);
    return out;
  }

  /** A frozen layer: no gradient step and no weight decay ({@link Freezable}); backprop passes through it. */
  static Layer frozen(Freezable layer) {
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
