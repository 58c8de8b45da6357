package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.model.layers.PrefixConcat;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * A LLaVA-style vision-language model as one DL4J ComputationGraph: a ViT's patch features, a connector into the
 * language model's width, and the visual tokens put in front of the text inside a decoder LM:
 *
 * <pre>
 *   image [B, 3, S, S] -> VisionEmbedding -> TransformerBlock x (L_v - 1)       [B, Wv, 1+P]  (penultimate layer)
 *                      -> connector (linear | mlp2x_gelu | resampler)            [B, Wl, N]
 *   text  [B, 1, T]    -> TokenTable, TextPositions                              [B, Wl, T]
 *   PrefixConcat(visual, text)                                                    [B, Wl, N+T], mask [1..1, text mask]
 *   -> causal TransformerBlock x L -> LmLoss (ln_final, vocabulary, masked next-token cross-entropy) [B, N+T, V]
 * </pre>
 *
 * As LLaVA: the vision features are the penultimate ViT layer's ({@code mm_vision_select_layer = -2}), patch tokens
 * only by default ({@code mm_vision_select_feature = patch}), and no visual position predicts anything (their labels
 * are {@link LmLoss#IGNORE}, LLaVA's IGNORE_INDEX); the text positions keep the LM's learned positions. Layer names
 * match {@link ClipModel}'s vision tower and {@link LanguageModel}'s decoder, so {@link #initialiseFrom} copies a
 * trained CLIP and LM in.
 */
public final class VisionLanguageModel {
  public static final String IMAGE = "image";
  public static final String TEXT = "text";
  public static final String CONNECTOR = "connector";
  public static final String PREFIX = "prefix";
  public static final String HEAD = LanguageModel.HEAD;

  /** A zero step for layers that stay fixed but pass gradients through (the LM while the connector aligns). */
  private static final IUpdater ZERO_STEP = new Sgd(0.0);

  private VisionLanguageModel() {}

  /**
   * What trains, LLaVA's two stages and everything:
   * <ul>
   *   <li>ALIGN (stage 1, feature alignment): the connector only; vision tower and LM frozen;
   *   <li>INSTRUCT (stage 2, visual instruction tuning): connector and LM; vision tower frozen;
   *   <li>ALL: every layer.
   * </ul>
   */
  public enum Trainable { ALIGN, INSTRUCT, ALL }

  /**
   * The shape: the vision side (image size, patch size, vision tower) and the LM (text tower, vocabulary, context)
   * of a CLIP preset, as {@code vlm pretrain lm} takes the LM from the preset's text tower, plus the connector.
   */
  public record Shape(String name, ClipShape clip, Connector connector, VisionFeatures features)
      implements java.io.Serializable {

    public static Shape of(ClipShape clip, Connector connector) {
      return new Shape(clip.nameFor("vlm"), clip, connector, VisionFeatures.PATCH);
    }

    public LanguageModel.Shape lm() {
      return LanguageModel.Shape.of(clip);
    }

    /** ViT blocks used: all but the last (the penultimate layer's features). */
    public int visionLayers() {
      return Math.max(0, clip.vision().layers() - 1);
    }

    /** Visual tokens in front of the text. */
    public int visualTokens() {
      return connector.tokens(clip.patches(), features);
    }

    /** Positions the decoder runs over: visual tokens, then the text context. */
    public int sequenceLength() {
      return visualTokens() + clip.contextLength();
    }

    public long params() {
      return clip.visionStemParams() + visionLayers() * clip.vision().blockParams()
          + connector.params(clip.vision().width(), clip.text().width()) + lm().params();
    }

    /** Forward FLOPs of one (image, text) sample: ViT, connector, decoder over all positions, vocabulary head. */
    public long forwardFlopsPerSample() {
      ClipShape.Tower v = clip.vision();
      ClipShape.Tower t = clip.text();
      return clip.visionStemFlops() + visionLayers() * v.blockFlops(clip.patches() + 1)
          + connector.forwardFlops(v.width(), t.width(), clip.patches(), features)
          + t.layers() * t.blockFlops(sequenceLength()) + 2L * sequenceLength() * t.width() * clip.vocabSize();
    }
  }

  public static ComputationGraph build(Shape s, Optimiser optimiser, DataType dataType, long seed,
      Trainable trainable) {
    return init(configuration(s, optimiser.applyTo(new NeuralNetConfiguration.Builder()), dataType, seed,
        trainable));
  }

  /** With a plain updater (gradient checks, benchmarks). */
  public static ComputationGraph build(Shape s, IUpdater updater, DataType dataType, long seed,
      Trainable trainable) {
    return init(configuration(s, new NeuralNetConfiguration.Builder().updater(updater), dataType, seed, trainable));
  }

  private static ComputationGraph init(ComputationGraphConfiguration conf) {
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  private static ComputationGraphConfiguration configuration(Shape s, NeuralNetConfiguration.Builder base,
      DataType dataType, long seed, Trainable trainable) {
    ClipShape c = s.clip();
    ClipShape.Tower v = c.vision();
    ClipShape.Tower t = c.text();
    Function<Freezable, Layer> trained = Freezable::trained;
    // the vision tower and the text stem have nothing trainable upstream: frozen, they are skipped in backprop
    Function<Freezable, Layer> vision = trainable == Trainable.ALL ? trained : VisionLanguageModel::frozen;
    Function<Freezable, Layer> textStem = trainable == Trainable.ALIGN ? VisionLanguageModel::frozen : trained;
    // the decoder passes the gradient down to the connector: frozen as a zero step
    Function<Freezable, Layer> decoder = trainable == Trainable.ALIGN ? VisionLanguageModel::zeroStep : trained;
    var b = base.dataType(dataType).seed(seed).graphBuilder()
        .addInputs(IMAGE, TEXT)
        .setInputTypes(InputType.convolutional(c.imageSize(), c.imageSize(), 3),
            InputType.recurrent(1, c.contextLength()));
    String last = ClipModel.addVisionTower(b, IMAGE, c, s.visionLayers(), vision);
    b.addLayer(CONNECTOR, s.connector().layer(v.width(), t.width(), c.patches(), s.features()), last);
    String text = TextStem.add(b, TEXT, c.vocabSize(), c.contextLength(), t.width(), textStem);
    b.addVertex(PREFIX, new PrefixConcat(s.visualTokens(), c.contextLength()), CONNECTOR, text);
    last = PREFIX;
    for (int i = 0; i < t.layers(); i++) {
      String name = LanguageModel.BLOCK + i;
      b.addLayer(name, decoder.apply(new TransformerBlock(t.width(), t.heads(), t.mlpRatio(), s.sequenceLength(),
          true)), last);
      last = name;
    }
    b.addLayer(HEAD, decoder.apply(new LmLoss(t.width(), c.vocabSize(), s.sequenceLength())), last);
    return b.setOutputs(HEAD).build();
  }

  /** Frozen, no backprop through it, no weight decay. */
  private static Layer frozen(Freezable layer) {
    return new FrozenLayer(layer.exemptFromWeightDecay());
  }

  /**
   * Frozen with gradients passing through: a zero learning rate for every parameter, no weight decay (the decoder's
   * blocks and head).
   */
  private static Layer zeroStep(Freezable layer) {
    org.deeplearning4j.nn.conf.layers.BaseLayer l =
        (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.exemptFromWeightDecay();
    l.setIUpdater(ZERO_STEP);
    l.setBiasUpdater(ZERO_STEP);
    return l;
  }

  /**
   * A training batch: images [B, 3, S, S] (CLIP-normalised), token sequences and which tokens are learned (as
   * {@link LanguageModel#batch}); the visual positions and the position before the first text token learn nothing.
   * Features {image, text}, feature masks {none, text mask}, labels [B, 2, N + T].
   */
  public static MultiDataSet batch(Shape s, INDArray images, List<int[]> sequences, List<boolean[]> learn) {
    if (images.size(0) != sequences.size() || learn.size() != sequences.size()) {
      throw new IllegalArgumentException("a batch needs one image and one learn mask per sequence: "
          + images.size(0) + " images, " + sequences.size() + " sequences, " + learn.size() + " masks");
    }
    MultiDataSet text = LanguageModel.batch(sequences, learn, s.clip().contextLength());
    INDArray textLabels = text.getLabels(0);                                                 // [B, 2, T]
    long b = sequences.size();
    int n = s.visualTokens();
    INDArray labels = Nd4j.zeros(DataType.FLOAT, b, 2, s.sequenceLength());                // [B, 2, N+T]
    labels.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(n, s.sequenceLength()))
        .assign(textLabels);
    return new MultiDataSet(new INDArray[] {images, text.getFeatures(0)}, new INDArray[] {labels},
        new INDArray[] {null, text.getFeaturesMaskArray(0)}, null);
  }

  /** The prompts continued for their images (row i of {@code images} goes with prompt i); see {@link Generation}. */
  public static List<int[]> generate(ComputationGraph vlm, Shape s, INDArray images, List<int[]> prompts,
      int maxNewTokens, int endOfText, Generation.Sampling sampling) {
    if (images.size(0) != prompts.size()) {
      throw new IllegalArgumentException(images.size(0) + " images for " + prompts.size() + " prompts");
    }
    Generation.Decoder decoder = (ids, mask) ->
        vlm.output(false, new INDArray[] {images, ids}, new INDArray[] {null, mask})[0];     // [B, N+T, V]
    return Generation.generate(decoder, s.visualTokens(), s.clip().contextLength(), prompts, maxNewTokens,
        endOfText, sampling);
  }

  /**
   * LLaVA's starting point: the vision tower from a trained CLIP ({@link ClipModel}, same vision shape) and the
   * decoder from a trained LM ({@link LanguageModel}, same text shape); the connector keeps its initialisation.
   * Returns the layers copied.
   */
  public static List<String> initialiseFrom(ComputationGraph vlm, Shape s, ComputationGraph clip,
      ComputationGraph lm) {
    List<String> decoder = new ArrayList<>(List.of(TextStem.TOKENS, TextStem.STEM));
    for (int i = 0; i < s.clip().text().layers(); i++) {
      decoder.add(LanguageModel.BLOCK + i);
    }
    decoder.add(HEAD);
    return Weights.copyLayers(vlm, new Weights.Source(clip, ClipModel.visionTowerLayers(s.visionLayers())),
        new Weights.Source(lm, decoder));
  }
}
