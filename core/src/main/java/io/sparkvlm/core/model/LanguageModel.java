package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * A decoder-only language model (GPT's layout, the text tower's blocks) as a DL4J ComputationGraph:
 *
 * <pre>
 *   ids [B, 1, T] -> TextStem (TokenTable, TextPositions) -> causal TransformerBlock x L
 *   -> LmLoss (ln_final, vocabulary projection, masked next-token cross-entropy)
 * </pre>
 *
 * The graph's output activations are the logits [B, T, V]. With an image in front of the text it is
 * {@link VisionLanguageModel}, which uses the same layer names so a trained LM copies in.
 */
public final class LanguageModel {
  public static final String TEXT = "text";
  public static final String HEAD = "lm";
  /** The decoder blocks' name prefix (shared with {@link VisionLanguageModel}). */
  public static final String BLOCK = "block";

  private LanguageModel() {}

  /**
   * Shape of a decoder LM (and of any token-sequence tower: BLIP's matching model reads text with one): vocabulary,
   * context and blocks. Presets are {@code conf/models/*.conf} files of {@code kind = lm}.
   */
  public record Shape(String name, int vocabSize, int contextLength, ClipShape.Tower tower)
      implements java.io.Serializable {

    /** A CLIP's text tower as a decoder, with its vocabulary and context. */
    public static Shape of(ClipShape clip) {
      return new Shape(clip.nameFor("lm"), clip.vocabSize(), clip.contextLength(), clip.text());
    }

    /** The LM preset {@code conf/models/NAME.conf}. */
    public static Shape preset(String name) {
      return from(ModelPresets.load(name, ModelPresets.Kind.LM));
    }

    /** The LM presets, smallest first. */
    public static java.util.List<String> presets() {
      return ModelPresets.names(ModelPresets.Kind.LM);
    }

    /** {@code model { name, context-length, vocab-size, width, layers, heads, mlp-ratio, activation }}. */
    public static Shape from(com.typesafe.config.Config c) {
      try {
        return new Shape(c.getString("model.name"), c.getInt("model.vocab-size"), c.getInt("model.context-length"),
            ClipShape.tower(c, "model"));
      } catch (com.typesafe.config.ConfigException e) {
        throw new io.sparkvlm.core.config.ConfigError("model", "Invalid LM preset: " + e.getMessage(), e);
      }
    }

    /** Token table, positions, blocks, final norm, vocabulary projection (untied). */
    public long params() {
      long w = tower.width();
      return (long) vocabSize * w + (long) contextLength * w + tower.layers() * tower.blockParams() + 2 * w
          + w * vocabSize;
    }

    /** Forward FLOPs of one sequence (all positions), blocks and the vocabulary projection. */
    public long forwardFlopsPerSample() {
      return tower.layers() * tower.blockFlops(contextLength) + 2L * contextLength * tower.width() * vocabSize;
    }
  }

  public static ComputationGraph build(Shape s, Optimiser optimiser, DataType dataType, long seed) {
    return build(s, optimiser.applyTo(new NeuralNetConfiguration.Builder()), dataType, seed);
  }

  /** With a plain updater (gradient checks, benchmarks). */
  public static ComputationGraph build(Shape s, IUpdater updater, DataType dataType, long seed) {
    return build(s, new NeuralNetConfiguration.Builder().updater(updater), dataType, seed);
  }

  private static ComputationGraph build(Shape s, NeuralNetConfiguration.Builder base, DataType dataType,
      long seed) {
    var b = base.dataType(dataType).seed(seed).graphBuilder()
        .addInputs(TEXT)
        .setInputTypes(InputType.recurrent(1, s.contextLength()));
    String last = TextStem.add(b, TEXT, s.vocabSize(), s.contextLength(), s.tower().width());
    for (int i = 0; i < s.tower().layers(); i++) {
      String name = BLOCK + i;
      b.addLayer(name, new TransformerBlock(s.tower().width(), s.tower().heads(), s.tower().mlpRatio(),
          s.contextLength(), true, s.tower().gelu()), last);
      last = name;
    }
    b.addLayer(HEAD, new LmLoss(s.tower().width(), s.vocabSize(), s.contextLength()), last);
    ComputationGraphConfiguration conf = b.setOutputs(HEAD).build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  /**
   * A training batch: each sequence's tokens as input, the next token as target at every position; a target
   * counts ({@link LmLoss#LEARN}) where {@code learn[t]} is true for the token at t + 1, else it is ignored, and
   * so is padding. Sequences longer than the context are cut.
   */
  public static MultiDataSet batch(List<int[]> sequences, List<boolean[]> learn, int contextLength) {
    int b = sequences.size();
    INDArray ids = Nd4j.zeros(DataType.FLOAT, b, 1, contextLength);
    INDArray mask = Nd4j.zeros(DataType.FLOAT, b, contextLength);
    INDArray labels = Nd4j.zeros(DataType.FLOAT, b, 2, contextLength);
    for (int i = 0; i < b; i++) {
      int[] seq = sequences.get(i);
      int n = Math.min(seq.length, contextLength);
      for (int t = 0; t < n; t++) {
        ids.putScalar(new long[] {i, 0, t}, seq[t]);
        mask.putScalar(i, t, 1);
        if (t + 1 < seq.length && learn.get(i)[t + 1]) {
          labels.putScalar(new long[] {i, LmLoss.TARGET, t}, seq[t + 1]);
          labels.putScalar(new long[] {i, LmLoss.WEIGHT, t}, LmLoss.LEARN);
        }
      }
    }
    return new MultiDataSet(new INDArray[] {ids}, new INDArray[] {labels}, new INDArray[] {mask}, null);
  }

  /** Every token after the first is learned (plain LM pretraining). */
  public static List<boolean[]> learnAll(List<int[]> sequences) {
    List<boolean[]> out = new ArrayList<>();
    for (int[] s : sequences) {
      boolean[] l = new boolean[s.length];
      java.util.Arrays.fill(l, true);
      out.add(l);
    }
    return out;
  }
}
