package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.model.layers.TextPositions;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.FastExp;
import io.sparkvlm.core.model.layers.kernels.Gelu;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import io.sparkvlm.core.model.layers.kernels.Native;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decoding with a key/value cache, for a causal decoder whose text may follow visual tokens (a {@link LanguageModel},
 * or a {@link VisionLanguageModel} with prefix fusion): each position of each sequence goes through the blocks once;
 * its keys and values are kept per layer, and a new token attends to them instead of the whole context being run
 * again (what {@link Generation.Decoder} does). It reads the decoder graph's own weights and runs the same
 * arithmetic as its layers (pre-LN blocks, the layers' GELU, layer-norm and softmax kernels), so its logits equal
 * the graph's up to float rounding (tested). Per sequence, position p of the model's sequence is visual token p for
 * p below the prefix, then text token p - prefix with its learned position.
 */
public final class CachedDecoder implements Generation.Incremental {
  private final DataType type;
  private final int width;
  private final int heads;
  private final int dim;
  private final int mlp;
  private final int contextLength;
  private final int prefix;
  private final Gelu gelu;
  private final double[] tokens;                                        // [V, C]
  private final double[] positions;                                     // [T, C]
  private final List<Block> blocks = new ArrayList<>();
  private final Buf headGain;
  private final Buf headBias;
  private final double headEps;
  private final INDArray vocabulary;                                    // [C, V]
  /** Visual tokens [B, N, C], empty without a prefix. */
  private final double[] visual;
  private final Map<Integer, Cache> caches = new HashMap<>();

  private record Block(Buf ln1Gain, Buf ln1Bias, INDArray inW, Buf inB, INDArray outW, Buf outB, Buf ln2Gain,
      Buf ln2Bias, INDArray fcW, Buf fcB, INDArray projW, Buf projB, double eps) {}

  /**
   * One sequence's keys and values per layer and head, [prefix + T, D] each (head-major, so a query's dot products
   * run over one contiguous array), and how many positions it has read.
   */
  private static final class Cache {
    final double[][][] keys;
    final double[][][] values;
    int read;

    Cache(int layers, int heads, int positions, int dim) {
      keys = new double[layers][heads][positions * dim];
      values = new double[layers][heads][positions * dim];
    }
  }

  /**
   * @param decoder a decoder graph: {@link TextStem}'s layers, causal {@link TransformerBlock}s named
   *     {@link LanguageModel#BLOCK}0, 1, ... after the text (and the visual tokens, if any) and the {@link LmLoss}
   *     head named {@link LanguageModel#HEAD}
   * @param visualTokens [B, N, C], sequence i's visual tokens in front of its text, or null for none
   */
  public CachedDecoder(ComputationGraph decoder, INDArray visualTokens) {
    this.type = decoder.getConfiguration().getDataType();
    INDArray table = decoder.getLayer(TextStem.TOKENS).getParam(DefaultParamInitializer.WEIGHT_KEY);
    INDArray learned = decoder.getLayer(TextStem.STEM).getParam(TextPositions.POSITIONS);
    this.tokens = table.dup('c').data().asDouble();
    this.positions = learned.dup('c').data().asDouble();
    this.contextLength = (int) learned.size(0);
    this.width = (int) learned.size(1);
    this.visual = visualTokens == null ? new double[0] : visualTokens.dup('c').data().asDouble();
    this.prefix = visualTokens == null ? 0 : (int) visualTokens.size(1);
    if (visualTokens != null && visualTokens.size(2) != width) {
      throw new IllegalArgumentException("visual tokens of width " + visualTokens.size(2) + " for a decoder of width "
          + width);
    }
    TransformerBlock first = null;
    for (int i = 0; decoder.getConfiguration().getVertices().containsKey(LanguageModel.BLOCK + i); i++) {
      Layer layer = decoder.getLayer(LanguageModel.BLOCK + i);
      TransformerBlock conf = (TransformerBlock) layer.conf().getLayer();
      if (!conf.isCausal()) {
        throw new IllegalArgumentException("a key/value cache needs causal blocks; " + LanguageModel.BLOCK + i
            + " is not");
      }
      first = first == null ? conf : first;
      blocks.add(new Block(buf(layer, TransformerBlock.LN1_GAIN), buf(layer, TransformerBlock.LN1_BIAS),
          layer.getParam(TransformerBlock.IN_W), buf(layer, TransformerBlock.IN_B),
          layer.getParam(TransformerBlock.OUT_W), buf(layer, TransformerBlock.OUT_B),
          buf(layer, TransformerBlock.LN2_GAIN), buf(layer, TransformerBlock.LN2_BIAS),
          layer.getParam(TransformerBlock.FC_W), buf(layer, TransformerBlock.FC_B),
          layer.getParam(TransformerBlock.PROJ_W), buf(layer, TransformerBlock.PROJ_B), conf.getNormEps()));
    }
    if (first == null) {
      throw new IllegalArgumentException("a decoder without blocks");
    }
    this.heads = first.getHeads();
    this.dim = width / heads;
    this.mlp = width * first.getMlpRatio();
    this.gelu = first.getGelu();
    Layer head = decoder.getLayer(LanguageModel.HEAD);
    this.headGain = buf(head, LmLoss.LN_GAIN);
    this.headBias = buf(head, LmLoss.LN_BIAS);
    this.headEps = ((LmLoss) head.conf().getLayer()).getNormEps();
    this.vocabulary = head.getParam(LmLoss.VOCAB);
  }

  private Buf buf(Layer layer, String key) {
    INDArray p = layer.getParam(key);
    Buf b = Buf.allocate(type, (int) p.length());
    Native.read(p, b);
    return b;
  }

  @Override
  public double[][] next(int[] which, List<int[]> seqs) {
    // the rows to run: every position each sequence has not read yet (its visual tokens and prompt at first)
    List<int[]> rows = new ArrayList<>();                                 // {sequence, position}
    int[] lastRow = new int[which.length];
    for (int k = 0; k < which.length; k++) {
      int i = which[k];
      int[] s = seqs.get(i);
      if (s.length == 0 || s.length > contextLength) {
        throw new IllegalArgumentException("sequence " + i + " has " + s.length + " tokens; the context holds 1 to "
            + contextLength);
      }
      Cache c = caches.computeIfAbsent(i, x -> new Cache(blocks.size(), heads, prefix + contextLength, dim));
      for (int p = c.read; p < prefix + s.length; p++) {
        rows.add(new int[] {i, p});
      }
      c.read = prefix + s.length;
      lastRow[k] = rows.size() - 1;
    }
    int r = rows.size();
    Buf x = Buf.allocate(type, r * width);
    for (int row = 0; row < r; row++) {
      embed(rows.get(row), seqs, x, row);
    }
    for (int l = 0; l < blocks.size(); l++) {
      x = block(l, blocks.get(l), rows, x);
    }
    // the head at each sequence's last position only: ln_final, then the vocabulary product
    Buf last = Buf.allocate(type, which.length * width);
    for (int k = 0; k < which.length; k++) {
      Buf.copy(x, lastRow[k] * width, last, k * width, width);
    }
    Buf normed = layerNorm(last, headGain, headBias, which.length, headEps);
    return product(normed, which.length, width, vocabulary).toDoubleMatrix();                 // [K, V]
  }

  /** Row {@code row} of {@code x}: a visual token, or a text token's embedding plus its position's. */
  private void embed(int[] seqPos, List<int[]> seqs, Buf x, int row) {
    int i = seqPos[0];
    int p = seqPos[1];
    if (p < prefix) {
      int from = (i * prefix + p) * width;                                                       // visual[i, p, :]
      for (int c = 0; c < width; c++) {
        x.set(row * width + c, visual[from + c]);
      }
    } else {
      int t = p - prefix;
      int token = seqs.get(i)[t] * width;
      for (int c = 0; c < width; c++) {
        x.set(row * width + c, tokens[token + c] + positions[t * width + c]);
      }
    }
  }

  /** One pre-LN block over the rows: x + attn(LN(x)), then h + MLP(LN(h)). */
  private Buf block(int layer, Block b, List<int[]> rows, Buf x) {
    int r = rows.size();
    Buf ln1 = layerNorm(x, b.ln1Gain(), b.ln1Bias(), r, b.eps());
    Buf qkv = read(product(ln1, r, width, b.inW()), r * 3 * width);     // [R, 3C]: q | k | v, heads side by side
    for (int row = 0; row < r; row++) {                                 // keys and values of every row first
      Cache c = caches.get(rows.get(row)[0]);
      int p = rows.get(row)[1];
      for (int h = 0; h < heads; h++) {
        for (int d = 0; d < dim; d++) {
          int j = h * dim + d;
          c.keys[layer][h][p * dim + d] = qkv.get(row * 3 * width + width + j) + b.inB().get(width + j);
          c.values[layer][h][p * dim + d] = qkv.get(row * 3 * width + 2 * width + j) + b.inB().get(2 * width + j);
        }
      }
    }
    Buf ctx = Buf.allocate(type, r * width);
    double scale = 1 / Math.sqrt(dim);
    double[] q = new double[dim];
    for (int row = 0; row < r; row++) {
      Cache c = caches.get(rows.get(row)[0]);
      int p = rows.get(row)[1];
      for (int h = 0; h < heads; h++) {
        for (int d = 0; d < dim; d++) {
          q[d] = qkv.get(row * 3 * width + h * dim + d) + b.inB().get(h * dim + d);
        }
        attend(c, layer, p, h, q, scale, ctx, row * width + h * dim);
      }
    }
    Buf hidden = residual(x, read(product(ctx, r, width, b.outW()), r * width), b.outB(), r);
    Buf ln2 = layerNorm(hidden, b.ln2Gain(), b.ln2Bias(), r, b.eps());
    Buf fc = read(product(ln2, r, width, b.fcW()), r * mlp);          // [R, F]
    Buf act = Buf.allocate(type, r * mlp);
    gelu.forward(fc, b.fcB(), Buf.allocate(type, r * mlp), act, Buf.allocate(type, r * mlp), r, mlp);
    return residual(hidden, read(product(act, r, mlp, b.projW()), r * width), b.projB(), r);
  }

  /** x + branch + bias, row by row: a block's residual connection, [R, C]. */
  private Buf residual(Buf x, Buf branch, Buf bias, int r) {
    Buf y = Buf.allocate(type, r * width);
    for (int row = 0; row < r; row++) {
      for (int j = 0; j < width; j++) {
        int o = row * width + j;
        y.set(o, x.get(o) + branch.get(o) + bias.get(j));
      }
    }
    return y;
  }

  /** Head {@code h} of the query at position {@code p} over the cached keys 0..p (causal), into {@code out}. */
  private void attend(Cache c, int layer, int p, int h, double[] q, double scale, Buf out, int at) {
    double[] keys = c.keys[layer][h];                                  // [positions, D]
    double[] values = c.values[layer][h];
    double[] z = new double[p + 1];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j <= p; j++) {
      double dot = 0;
      for (int d = 0, o = j * dim; d < dim; d++) {
        dot += q[d] * keys[o + d];
      }
      z[j] = dot * scale;
      max = Math.max(max, z[j]);
    }
    double sum = 0;
    boolean single = type == DataType.FLOAT;
    for (int j = 0; j <= p; j++) {
      z[j] = single ? FastExp.exp((float) (z[j] - max)) : Math.exp(z[j] - max);  // as the layer's softmax
      sum += z[j];
    }
    double[] acc = new double[dim];
    for (int j = 0; j <= p; j++) {
      double w = z[j];
      for (int d = 0, o = j * dim; d < dim; d++) {
        acc[d] += w * values[o + d];
      }
    }
    for (int d = 0; d < dim; d++) {
      out.set(at + d, acc[d] / sum);
    }
  }

  private Buf layerNorm(Buf x, Buf gain, Buf bias, int rows, double eps) {
    Buf y = Buf.allocate(type, rows * width);
    LayerNorm.forward(x, gain, bias, y, Buf.allocate(type, rows * width), Buf.allocate(type, rows), rows, width, eps);
    return y;
  }

  /** {@code x} [rows, cols] times {@code w} [cols, out]. */
  private INDArray product(Buf x, int rows, int cols, INDArray w) {
    INDArray a = Nd4j.create(type, rows, cols);
    Native.write(x, a);
    INDArray out = Nd4j.create(type, rows, w.size(1));
    Nd4j.gemm(a, w, out, false, false, 1.0, 0.0);
    return out;
  }

  private Buf read(INDArray a, int length) {
    Buf b = Buf.allocate(type, length);
    Native.read(a, b);
    return b;
  }
}
