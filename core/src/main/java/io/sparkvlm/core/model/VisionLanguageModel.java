package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.Fusion;
import io.sparkvlm.core.model.layers.GatedCrossAttention;
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
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
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
 *   fusion prefix (LLaVA):
 *     PrefixConcat(visual, text)                                                  [B, Wl, N+T], mask [1..1, text mask]
 *     -> causal TransformerBlock x L -> LmLoss (ln_final, vocabulary, masked next-token cross-entropy) [B, N+T, V]
 *   fusion cross-attention (Flamingo), in front of every k-th LM block i:
 *     h = GatedCrossAttention(PrefixConcat(visual, h))                            [B, Wl, N+T] -> [B, Wl, T]
 *     h = causal TransformerBlock i (h)                                           [B, Wl, T]
 *     -> LmLoss                                                                   [B, T, V]
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
  /** Gated cross-attention block i sits in front of LM block i ({@link #crossAttention}). */
  public static final String CROSS_ATTENTION = "xattn";
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

  /** The layer name of the gated cross-attention block in front of LM block {@code block}. */
  public static String crossAttention(int block) {
    return CROSS_ATTENTION + block;
  }

  /**
   * The shape: a ViT image tower (any CLIP's), how many of its blocks to use (LLaVA's penultimate layer by default),
   * which of its tokens the connector reads, the connector, and a decoder LM (any LM's shape: its vocabulary and
   * context are the model's), and how the visual tokens reach the LM ({@link Fusion}; the gated cross-attention
   * blocks count as part of the connector: they train whenever it does). Vision and LM are independent shapes, so
   * any CLIP vision tower pairs with any LM.
   */
  public record Shape(String name, VisionTower vision, LanguageModel.Shape lm, Connector connector,
      VisionFeatures features, int visionLayers, Fusion fusion) implements java.io.Serializable {

    public Shape {
      if (visionLayers < 0 || visionLayers > vision.tower().layers()) {
        throw new IllegalArgumentException("a vision tower of " + vision.tower().layers() + " blocks cannot give "
            + "the features of block " + visionLayers);
      }
      java.util.Objects.requireNonNull(fusion, "fusion");
    }

    /** LLaVA's prefix fusion. */
    public Shape(String name, VisionTower vision, LanguageModel.Shape lm, Connector connector,
        VisionFeatures features, int visionLayers) {
      this(name, vision, lm, connector, features, visionLayers, new Fusion.Prefix());
    }

    /** This shape with another fusion. */
    public Shape withFusion(Fusion other) {
      return new Shape(name, vision, lm, connector, features, visionLayers, other);
    }

    /** LLaVA's defaults: patch features of the penultimate ViT block. */
    public static Shape of(String name, VisionTower vision, LanguageModel.Shape lm, Connector connector) {
      return new Shape(name, vision, lm, connector, VisionFeatures.PATCH, penultimate(vision));
    }

    /** A CLIP preset's vision tower with its text tower as the decoder (tests, benchmarks, the bench table). */
    public static Shape of(ClipShape clip, Connector connector) {
      return of(clip.nameFor("vlm"), clip.visionTower(), LanguageModel.Shape.of(clip), connector);
    }

    /** All blocks but the last (one block: that block). */
    public static int penultimate(VisionTower vision) {
      return Math.max(0, vision.tower().layers() - 1);
    }

    /** Visual tokens the connector emits. */
    public int visualTokens() {
      return connector.tokens(vision.patches(), features);
    }

    /** Decoder positions in front of the text: the visual tokens with prefix fusion, none with cross-attention. */
    public int textOffset() {
      return fusion.textOffset(visualTokens());
    }

    /** Positions the decoder runs over: {@link #textOffset}, then the text context. */
    public int sequenceLength() {
      return textOffset() + lm.contextLength();
    }

    /** Gated cross-attention blocks (none with prefix fusion). */
    public int crossAttentionBlocks() {
      return fusion.crossAttentionBlocks(lm.tower().layers());
    }

    public long params() {
      return vision.params(visionLayers) + connectionParams() + lm.params();
    }

    /** The connector's and the gated cross-attention blocks' parameters: what trains in every stage. */
    private long connectionParams() {
      ClipShape.Tower t = lm.tower();
      return connector.params(vision.tower().width(), t.width())
          + crossAttentionBlocks() * GatedCrossAttention.params(t.width(), t.mlpRatio());
    }

    /**
     * Parameters that train under {@code trainable}: the connector and the cross-attention blocks always, the LM
     * too from {@link Trainable#INSTRUCT}, the vision tower as well under {@link Trainable#ALL}.
     */
    public long trainableParams(Trainable trainable) {
      long connection = connectionParams();
      return switch (trainable) {
        case ALIGN -> connection;
        case INSTRUCT -> connection + lm.params();
        case ALL -> params();
      };
    }

    /** Forward FLOPs of one (image, text) sample: ViT, connector, decoder over all positions, vocabulary head. */
    public long forwardFlopsPerSample() {
      ClipShape.Tower t = lm.tower();
      return vision.forwardFlops(visionLayers)
          + connector.forwardFlops(vision.tower().width(), t.width(), vision.patches(), features)
          + crossAttentionBlocks() * GatedCrossAttention.forwardFlops(t.width(), t.mlpRatio(), visualTokens(),
              lm.contextLength())
          + t.layers() * t.blockFlops(sequenceLength()) + 2L * sequenceLength() * t.width() * lm.vocabSize();
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
    VisionTower v = s.vision();
    LanguageModel.Shape lm = s.lm();
    ClipShape.Tower t = lm.tower();
    Function<Freezable, Layer> trained = Freezable::trained;
    // the vision tower and the text stem have nothing trainable upstream: frozen, they are skipped in backprop
    Function<Freezable, Layer> vision = trainable == Trainable.ALL ? trained : VisionLanguageModel::frozen;
    Function<Freezable, Layer> textStem = trainable == Trainable.ALIGN ? VisionLanguageModel::frozen : trained;
    // the decoder passes the gradient down to the connector: frozen as a zero step
    Function<Freezable, Layer> decoder = trainable == Trainable.ALIGN ? VisionLanguageModel::zeroStep : trained;
    var b = base.dataType(dataType).seed(seed).graphBuilder()
        .addInputs(IMAGE, TEXT)
        .setInputTypes(InputType.convolutional(v.imageSize(), v.imageSize(), 3),
            InputType.recurrent(1, lm.contextLength()));
    String last = ClipModel.addVisionTower(b, IMAGE, v, s.visionLayers(), vision);
    b.addLayer(CONNECTOR, s.connector().layer(v.tower().width(), t.width(), v.patches(), s.features()), last);
    String text = TextStem.add(b, TEXT, lm.vocabSize(), lm.contextLength(), t.width(), textStem);
    addDecoder(b, s, CONNECTOR, text, trained, decoder);
    return b.setOutputs(HEAD).build();
  }

  /**
   * The decoder from the visual tokens and the embedded text to {@link #HEAD}, by the shape's fusion; returns the
   * names of the layers it added. The cross-attention blocks are built by {@code crossAttention}, the LM's blocks
   * and head by {@code decoder}.
   */
  private static List<String> addDecoder(GraphBuilder b, Shape s, String visual, String text,
      Function<Freezable, Layer> crossAttention, Function<Freezable, Layer> decoder) {
    LanguageModel.Shape lm = s.lm();
    ClipShape.Tower t = lm.tower();
    List<String> added = new ArrayList<>();
    String last = text;
    if (s.fusion() instanceof Fusion.Prefix) {
      b.addVertex(PREFIX, new PrefixConcat(s.visualTokens(), lm.contextLength()), visual, text);
      last = PREFIX;
    }
    for (int i = 0; i < t.layers(); i++) {
      if (s.fusion().crossAttentionBefore(i)) {
        String prefix = PREFIX + i;
        b.addVertex(prefix, new PrefixConcat(s.visualTokens(), lm.contextLength()), visual, last);
        String gated = crossAttention(i);
        b.addLayer(gated, crossAttention.apply(new GatedCrossAttention(t.width(), t.heads(), t.mlpRatio(),
            s.visualTokens(), lm.contextLength(), t.gelu())), prefix);
        added.add(gated);
        last = gated;
      }
      String name = LanguageModel.BLOCK + i;
      b.addLayer(name, decoder.apply(new TransformerBlock(t.width(), t.heads(), t.mlpRatio(), s.sequenceLength(),
          true, t.gelu())), last);
      added.add(name);
      last = name;
    }
    b.addLayer(HEAD, decoder.apply(new LmLoss(t.width(), lm.vocabSize(), s.sequenceLength())), last);
    added.add(HEAD);
    return added;
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
    MultiDataSet text = LanguageModel.batch(sequences, learn, s.lm().contextLength());
    INDArray textLabels = text.getLabels(0);                                                 // [B, 2, T]
    long b = sequences.size();
    int n = s.textOffset();
    INDArray labels = Nd4j.zeros(DataType.FLOAT, b, 2, s.sequenceLength());                // [B, 2, offset+T]
    labels.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(n, s.sequenceLength()))
        .assign(textLabels);
    return new MultiDataSet(new INDArray[] {images, text.getFeatures(0)}, new INDArray[] {labels},
        new INDArray[] {null, text.getFeaturesMaskArray(0)}, null);
  }

  /** The prompts continued for their images (row i of {@code images} goes with prompt i); see {@link Generation}. */
  public static List<int[]> generate(ComputationGraph vlm, Shape s, INDArray images, List<int[]> prompts,
      int maxNewTokens, int endOfText, Generation.Sampling sampling) {
    return new Generator(vlm, s).generate(images, prompts, 0, maxNewTokens, endOfText, sampling,
        defaultSeeds(sampling, prompts.size()));
  }

  private static long[] defaultSeeds(Generation.Sampling sampling, int n) {
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) {
      seeds[i] = sampling.seed() * 0x9E3779B97F4A7C15L + i;
    }
    return seeds;
  }

  /** The input of {@link Generator}'s decoder graph that takes the visual tokens. */
  public static final String VISUAL = "visual";

  /**
   * Generation that runs the image side once per batch: the trained model split into a vision graph (image ->
   * vision tower -> connector: the visual tokens) and a decoder graph with the visual tokens as an input, each with
   * the model's weights copied in by layer name. Each decoding step then runs the decoder only (there is no
   * key/value cache: it runs the whole short context again). Build one per loaded model and reuse it.
   */
  public static final class Generator {
    private final Shape shape;
    private final ComputationGraph vision;
    private final ComputationGraph decoder;

    public Generator(ComputationGraph vlm, Shape s) {
      this.shape = s;
      DataType type = vlm.getConfiguration().getDataType();
      NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().updater(new Sgd(0.0));
      VisionTower v = s.vision();
      LanguageModel.Shape lm = s.lm();
      ClipShape.Tower t = lm.tower();
      var vb = new NeuralNetConfiguration.Builder().updater(new Sgd(0.0)).dataType(type).graphBuilder()
          .addInputs(IMAGE).setInputTypes(InputType.convolutional(v.imageSize(), v.imageSize(), 3));
      String last = ClipModel.addVisionTower(vb, IMAGE, v, s.visionLayers(), Freezable::trained);
      vb.addLayer(CONNECTOR, s.connector().layer(v.tower().width(), t.width(), v.patches(), s.features()), last);
      this.vision = init(vb.setOutputs(CONNECTOR).build());
      var db = base.dataType(type).graphBuilder()
          .addInputs(VISUAL, TEXT)
          .setInputTypes(InputType.recurrent(t.width(), s.visualTokens(), org.deeplearning4j.nn.conf.RNNFormat.NWC),
              InputType.recurrent(1, lm.contextLength()));
      String text = TextStem.add(db, TEXT, lm.vocabSize(), lm.contextLength(), t.width());
      List<String> decoderLayers = new ArrayList<>(List.of(TextStem.TOKENS, TextStem.STEM));
      decoderLayers.addAll(addDecoder(db, s, VISUAL, text, Freezable::trained, Freezable::trained));
      this.decoder = init(db.setOutputs(HEAD).build());
      List<String> visionLayers = new ArrayList<>(ClipModel.visionTowerLayers(s.visionLayers()));
      visionLayers.add(CONNECTOR);
      Weights.copyLayers(vision, new Weights.Source(vlm, visionLayers));
      Weights.copyLayers(decoder, new Weights.Source(vlm, decoderLayers));
    }

    /** Visual tokens [B, N, W] of CLIP-normalised images [B, 3, S, S]. */
    public INDArray visualTokens(INDArray images) {
      return vision.output(false, images)[0];
    }

    /**
     * See {@link Generation#generate(Generation.Decoder, int, int, List, int, int, int, Generation.Sampling, long[])}.
     */
    public List<int[]> generate(INDArray images, List<int[]> prompts, int minNewTokens, int maxNewTokens,
        int endOfText, Generation.Sampling sampling, long[] seeds) {
      if (images.size(0) != prompts.size()) {
        throw new IllegalArgumentException(images.size(0) + " images for " + prompts.size() + " prompts");
      }
      INDArray visual = visualTokens(images);                                               // [B, N, W]
      if (shape.fusion() instanceof Fusion.Prefix) {                 // the visual tokens are the first positions
        return Generation.generate(new CachedDecoder(decoder, visual),
            shape.lm().contextLength(), prompts, minNewTokens, maxNewTokens, endOfText, sampling, seeds);
      }
      return generateWholeContext(visual, prompts, minNewTokens, maxNewTokens, endOfText, sampling, seeds);
    }

    /**
     * As {@link #generate}, running the whole context at every step: what cross-attention fusion decodes with (its
     * gated blocks have no key/value cache), and the reference the cached decoding is tested against.
     */
    List<int[]> generateWholeContext(INDArray visual, List<int[]> prompts, int minNewTokens, int maxNewTokens,
        int endOfText, Generation.Sampling sampling, long[] seeds) {
      Generation.Decoder d = (ids, mask) ->
          decoder.output(false, new INDArray[] {visual, ids}, new INDArray[] {null, mask})[0]; // [B, offset+T, V]
      return Generation.generate(d, shape.textOffset(), shape.lm().contextLength(), prompts, minNewTokens,
          maxNewTokens, endOfText, sampling, seeds);
    }
  }

  /**
   * LLaVA's starting point: the vision tower from a trained CLIP ({@link ClipModel}, same vision shape) and the
   * decoder from a trained LM ({@link LanguageModel}, same text shape); the connector keeps its initialisation.
   * Returns the layers copied.
   */
  public static List<String> initialiseFrom(ComputationGraph vlm, Shape s, ComputationGraph clip,
      ComputationGraph lm) {
    List<String> decoder = new ArrayList<>(List.of(TextStem.TOKENS, TextStem.STEM));
    for (int i = 0; i < s.lm().tower().layers(); i++) {
      decoder.add(LanguageModel.BLOCK + i);
    }
    decoder.add(HEAD);
    return Weights.copyLayers(vlm, new Weights.Source(clip, ClipModel.visionTowerLayers(s.visionLayers())),
        new Weights.Source(lm, decoder));
  }
}
