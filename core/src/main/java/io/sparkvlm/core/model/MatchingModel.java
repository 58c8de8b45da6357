package io.sparkvlm.core.model;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.PrefixConcat;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.TokenPool;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * BLIP's image-text matching (ITM) model as a DL4J ComputationGraph: a bidirectional transformer over the image's
 * tokens followed by the text's, and a two-way head on the first text token (the start token, BLIP's [ENC]):
 *
 * <pre>
 *   image [B, 3, S, S] -> VisionEmbedding -> TransformerBlock x L_v            [B, Wv, 1+P]
 *                      -> linear connector (class and patch tokens)             [B, Wt, 1+P]
 *   text  [B, 1, T]    -> TokenTable, TextPositions                             [B, Wt, T]
 *   PrefixConcat -> bidirectional TransformerBlock x L_t                         [B, Wt, 1+P+T], text padding masked
 *   -> TokenPool at position 1+P (ln, projection) [B, Wt] -> dense + softmax [B, 2] (NO_MATCH, MATCH)
 * </pre>
 *
 * With the {@link Head#FUSED_AND_ITC} head the dense layer also reads a third input, the image-text cosine of a
 * contrastive model (the round-0 CLIP's ITC), [B, 1], merged after the pool into [B, Wt + 1]. {@link
 * #startFromItc} sets that layer so training starts from the calibrated ITC decision alone and the fused token
 * learns what the cosine misses.
 *
 * BLIP fuses with cross-attention inside its text encoder; here the image tokens are a prefix of one
 * bidirectional sequence (the design), which lets every layer be the tested transformer block. The loss is
 * two-way cross-entropy, as BLIP's {@code F.cross_entropy(itm_logits, itm_labels)}; training batches hold each
 * positive pair and two hard negatives ({@link HardNegatives}, {@link #batch}). Layer names follow {@link ClipModel}
 * ({@code visionStem, visionBlock*, textTokens, textStem, textBlock*}), so {@link #initialiseFrom} starts from a
 * trained CLIP, as BLIP's matching encoder shares the contrastive text encoder's weights.
 */
public final class MatchingModel {
  public static final String IMAGE = "image";
  public static final String TEXT = "text";
  /** The ITC cosine input of a {@link Head#FUSED_AND_ITC} model, [B, 1]. */
  public static final String ITC = "itc";
  public static final String POOL = "pool";
  /** The pooled fused token and the ITC cosine side by side, [B, Wt + 1] (a {@link Head#FUSED_AND_ITC} model). */
  public static final String POOL_AND_ITC = "poolAndItc";
  public static final String HEAD = "itm";
  /** Output classes. */
  public static final int NO_MATCH = 0;
  public static final int MATCH = 1;
  /** Rows of a BLIP training batch per positive pair: the pair, then its two hard negatives (see {@link #batch}). */
  public static final int ROWS_PER_PAIR = 3;

  /** Rows per positive pair when each image also gets {@code outsideTexts} texts from outside the training pairs. */
  public static int rowsPerPair(int outsideTexts) {
    return ROWS_PER_PAIR + outsideTexts;
  }

  private MatchingModel() {}

  /** What the two-way head reads. */
  public enum Head {
    /** The fused start token alone (BLIP's ITM head). */
    FUSED,
    /** The fused start token and a contrastive model's image-text cosine (input {@link #ITC}). */
    FUSED_AND_ITC;

    public String configName() {
      return ConfigReader.configName(this);
    }

    /** Reads {@link #configName}, as a checkpoint's architecture records it. */
    public static Head of(String name) {
      for (Head h : values()) {
        if (h.configName().equals(name)) {
          return h;
        }
      }
      throw new IllegalArgumentException("unknown matching head '" + name + "', expected fused or fused-and-itc");
    }
  }

  /**
   * The shape: a ViT image tower (all its blocks), a bidirectional text tower of an LM's shape (vocabulary, context,
   * blocks) and what the head reads; {@link #of(ClipShape, Head)} takes the towers from a CLIP, whose weights
   * {@link #initialiseFrom} copies.
   */
  public record Shape(String name, VisionTower vision, LanguageModel.Shape text, Head head)
      implements java.io.Serializable {
    /** BLIP's matching model on a CLIP's towers: the head reads the fused token alone. */
    public static Shape of(ClipShape clip) {
      return of(clip, Head.FUSED);
    }

    public static Shape of(ClipShape clip, Head head) {
      return new Shape(clip.nameFor("itm"), clip.visionTower(), LanguageModel.Shape.of(clip), head);
    }

    /** Width of what the head reads: the pooled token, and the cosine when the head takes it. */
    int headInputs() {
      return text.tower().width() + (head == Head.FUSED_AND_ITC ? 1 : 0);
    }

    public int imageTokens() {
      return vision.tokens();
    }

    public int sequenceLength() {
      return imageTokens() + text.contextLength();
    }

    public long params() {
      long wv = vision.tower().width();
      long wt = text.tower().width();
      return vision.params(vision.tower().layers())
          + new Connector.Linear().params((int) wv, (int) wt)
          + (long) text.vocabSize() * wt + (long) text.contextLength() * wt
          + text.tower().layers() * text.tower().blockParams()
          + 2 * wt + wt * wt                                          // pool: ln, projection
          + headInputs() * 2L + 2;                                    // head
    }

    public long forwardFlopsPerSample() {
      int wv = vision.tower().width();
      int wt = text.tower().width();
      return vision.forwardFlops(vision.tower().layers())
          + new Connector.Linear().forwardFlops(wv, wt, vision.patches(), VisionFeatures.CLS_PATCH)
          + text.tower().layers() * text.tower().blockFlops(sequenceLength())
          + 2L * wt * wt + 2L * wt * 2;
    }
  }

  public static ComputationGraph build(Shape s, Optimiser optimiser, DataType dataType, long seed) {
    return init(configuration(s, optimiser.applyTo(new NeuralNetConfiguration.Builder()), dataType, seed));
  }

  /** With a plain updater (gradient checks, benchmarks). */
  public static ComputationGraph build(Shape s, IUpdater updater, DataType dataType, long seed) {
    return init(configuration(s, new NeuralNetConfiguration.Builder().updater(updater), dataType, seed));
  }

  private static ComputationGraph init(ComputationGraphConfiguration conf) {
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  private static ComputationGraphConfiguration configuration(Shape s, NeuralNetConfiguration.Builder base,
      DataType dataType, long seed) {
    VisionTower v = s.vision();
    LanguageModel.Shape tx = s.text();
    ClipShape.Tower t = tx.tower();
    var b = base.dataType(dataType).seed(seed).graphBuilder();
    if (s.head() == Head.FUSED_AND_ITC) {
      b.addInputs(IMAGE, TEXT, ITC).setInputTypes(InputType.convolutional(v.imageSize(), v.imageSize(), 3),
          InputType.recurrent(1, tx.contextLength()), InputType.feedForward(1));
    } else {
      b.addInputs(IMAGE, TEXT).setInputTypes(InputType.convolutional(v.imageSize(), v.imageSize(), 3),
          InputType.recurrent(1, tx.contextLength()));
    }
    String last = ClipModel.addVisionTower(b, IMAGE, v, v.tower().layers(), Freezable::trained);
    b.addLayer("imageTokens", new Connector.Linear().layer(v.tower().width(), t.width(), v.patches(),
        VisionFeatures.CLS_PATCH), last);
    String text = TextStem.add(b, TEXT, tx.vocabSize(), tx.contextLength(), t.width());
    b.addVertex("prefix", new PrefixConcat(s.imageTokens(), tx.contextLength()), "imageTokens", text);
    last = "prefix";
    for (int i = 0; i < t.layers(); i++) {
      String name = ClipModel.TEXT_BLOCK + i;
      b.addLayer(name, new TransformerBlock(t.width(), t.heads(), t.mlpRatio(), s.sequenceLength(), false, t.gelu()),
          last);
      last = name;
    }
    b.addLayer(POOL, TokenPool.at(t.width(), t.width(), s.sequenceLength(), s.imageTokens()), last);
    String headInput = POOL;
    if (s.head() == Head.FUSED_AND_ITC) {
      b.addVertex(POOL_AND_ITC, new MergeVertex(), POOL, ITC);                     // [B, Wt + 1]
      headInput = POOL_AND_ITC;
    }
    b.addLayer(HEAD, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(s.headInputs()).nOut(2)
        .activation(Activation.SOFTMAX).build(), headInput);
    return b.setOutputs(HEAD).build();
  }

  /**
   * BLIP's ITM batch from B positive pairs and their hard negatives: the B positives (MATCH), each image with its
   * negative text, each text with its negative image (NO_MATCH): 3B rows, features {image, text}, masks
   * {none, text mask}, labels one-hot [3B, 2].
   */
  public static MultiDataSet batch(Shape s, INDArray images, List<int[]> tokens, HardNegatives.Picks picks) {
    return batch(s, images, tokens, picks, List.of(), Optional.empty());
  }

  /**
   * The ITC cosines of a batch's rows, for a {@link Head#FUSED_AND_ITC} model: {@code pairs[i][j]} of image i and
   * text j of the B pairs, {@code outside[i * m + k]} of image i and its k-th outside text.
   */
  public record Cosines(double[][] pairs, double[] outside) {}

  /**
   * BLIP's batch, then for each image i the texts {@code outside[i*m .. i*m+m)} (m = outside.size() / B) as
   * NO_MATCH rows: texts from outside the training pairs (e.g. web captions, junk included) that BLIP's in-batch
   * negatives never show a model fine-tuned on clean pairs. (3+m)B rows.
   */
  public static MultiDataSet batch(Shape s, INDArray images, List<int[]> tokens, HardNegatives.Picks picks,
      List<int[]> outside, Optional<Cosines> cosines) {
    int n = tokens.size();
    requireCosinesFor(s, cosines.isPresent());
    if (images.size(0) != n || picks.textForImage().length != n) {
      throw new IllegalArgumentException("a matching batch needs as many images, texts and picks: "
          + images.size(0) + ", " + n + ", " + picks.textForImage().length);
    }
    if (outside.size() % n != 0) {
      throw new IllegalArgumentException("a matching batch of " + n + " pairs needs a multiple of " + n
          + " outside texts, got " + outside.size());
    }
    int m = outside.size() / n;
    int rows = rowsPerPair(m) * n;
    int[] imageRows = new int[rows];
    // the row's text: i < n one of the pairs' texts, i >= n outside text i - n
    int[] textRows = new int[rows];
    INDArray labels = Nd4j.zeros(DataType.FLOAT, rows, 2);                               // [(3+m)B, 2]
    for (int i = 0; i < n; i++) {
      imageRows[i] = i;
      textRows[i] = i;
      labels.putScalar(i, MATCH, 1);
      imageRows[n + i] = i;
      textRows[n + i] = picks.textForImage()[i];
      labels.putScalar(n + i, NO_MATCH, 1);
    }
    for (int j = 0; j < n; j++) {
      imageRows[2 * n + j] = picks.imageForText()[j];
      textRows[2 * n + j] = j;
      labels.putScalar(2L * n + j, NO_MATCH, 1);
    }
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < m; k++) {
        int row = ROWS_PER_PAIR * n + i * m + k;
        imageRows[row] = i;
        textRows[row] = n + i * m + k;
        labels.putScalar(row, NO_MATCH, 1);
      }
    }
    List<int[]> texts = new ArrayList<>(rows);
    for (int t : textRows) {
      texts.add(t < n ? tokens.get(t) : outside.get(t - n));
    }
    INDArray[] text = ClipInputs.text(texts, s.text().contextLength());
    if (cosines.isEmpty()) {
      return new MultiDataSet(new INDArray[] {rows(images, imageRows), text[0]}, new INDArray[] {labels},
          new INDArray[] {null, text[1]}, null);
    }
    double[] itc = new double[rows];
    for (int r = 0; r < rows; r++) {
      itc[r] = textRows[r] < n ? cosines.get().pairs()[imageRows[r]][textRows[r]]
          : cosines.get().outside()[textRows[r] - n];
    }
    return new MultiDataSet(new INDArray[] {rows(images, imageRows), text[0], column(itc)},
        new INDArray[] {labels}, new INDArray[] {null, text[1], null}, null);
  }

  /** The probability that each (image i, text i) matches, for a {@link Head#FUSED} model. */
  public static double[] matchProbability(ComputationGraph itm, Shape s, INDArray images, List<int[]> tokens) {
    return matchProbability(itm, s, images, tokens, Optional.empty());
  }

  /**
   * The probability that each (image i, text i) matches; {@code cosines} (a contrastive model's cosine of each
   * pair) only and always for a {@link Head#FUSED_AND_ITC} model.
   */
  public static double[] matchProbability(ComputationGraph itm, Shape s, INDArray images, List<int[]> tokens,
      Optional<double[]> cosines) {
    requireCosinesFor(s, cosines.isPresent());
    INDArray[] text = ClipInputs.text(tokens, s.text().contextLength());
    INDArray out = cosines.isPresent()
        ? itm.output(false, new INDArray[] {images, text[0], column(cosines.get())},
            new INDArray[] {null, text[1], null})[0]
        : itm.output(false, new INDArray[] {images, text[0]}, new INDArray[] {null, text[1]})[0]; // [B, 2]
    return out.getColumn(MATCH).toDoubleVector();
  }

  /**
   * The ITC part of a {@link Head#FUSED_AND_ITC} head: the logit of MATCH over NO_MATCH is {@code slope * cosine +
   * intercept} (a logistic fit of the cosine, e.g. by the filter's calibration).
   */
  public record ItcDecision(double slope, double intercept) implements java.io.Serializable {}

  /**
   * Sets the head so that the model starts as the ITC decision alone: MATCH minus NO_MATCH logit = slope * cosine +
   * intercept, and the fused token's weights zero, so what it learns is what the cosine misses (as Flamingo's gates
   * start at 0). The gradient still reaches the fused token's weights (the pooled activations times the error).
   */
  public static void startFromItc(ComputationGraph itm, Shape s, ItcDecision itc) {
    if (s.head() != Head.FUSED_AND_ITC) {
      throw new IllegalArgumentException("the matching model " + s.name() + " has the " + s.head().configName()
          + " head; starting from ITC needs the fused-and-itc head");
    }
    INDArray w = itm.getLayer(HEAD).getParam("W");                                    // [Wt + 1, 2]
    INDArray bias = itm.getLayer(HEAD).getParam("b");                                 // [2] or [1, 2]
    int cosineRow = s.headInputs() - 1;
    w.assign(0);
    w.putScalar(cosineRow, MATCH, itc.slope() / 2);
    w.putScalar(cosineRow, NO_MATCH, -itc.slope() / 2);
    bias.putScalar(MATCH, itc.intercept() / 2);                                       // linear index: either rank
    bias.putScalar(NO_MATCH, -itc.intercept() / 2);
  }

  private static void requireCosinesFor(Shape s, boolean given) {
    if ((s.head() == Head.FUSED_AND_ITC) != given) {
      throw new IllegalArgumentException("the matching model " + s.name() + " has the " + s.head().configName()
          + " head, which " + (given ? "takes no" : "needs the") + " ITC cosine of each pair");
    }
  }

  private static INDArray column(double[] values) {
    INDArray c = Nd4j.create(DataType.FLOAT, values.length, 1);                       // [rows, 1]
    for (int i = 0; i < values.length; i++) {
      c.putScalar(i, 0, values[i]);
    }
    return c;
  }

  /** Starts from a trained CLIP: its vision tower, text stem and text blocks. Returns the layers copied. */
  public static List<String> initialiseFrom(ComputationGraph itm, Shape s, ComputationGraph clip) {
    List<String> layers = new ArrayList<>(List.of(ClipModel.VISION_STEM, TextStem.TOKENS, TextStem.STEM));
    for (int i = 0; i < s.vision().tower().layers(); i++) {
      layers.add(ClipModel.VISION_BLOCK + i);
    }
    for (int i = 0; i < s.text().tower().layers(); i++) {
      layers.add(ClipModel.TEXT_BLOCK + i);
    }
    return Weights.copyLayers(itm, new Weights.Source(clip, layers));
  }

  private static INDArray rows(INDArray images, int[] rows) {
    long[] shape = images.shape().clone();
    shape[0] = rows.length;
    INDArray out = Nd4j.create(images.dataType(), shape);
    for (int r = 0; r < rows.length; r++) {
      out.slice(r).assign(images.slice(rows[r]));
    }
    return out;
  }
}
