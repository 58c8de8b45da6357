package io.sparkvlm.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batched decoding with a {@link LanguageModel} or a {@link VisionLanguageModel}: greedy, or sampled with
 * temperature, top-k and top-p (nucleus), seeded; each sequence stops at the end-of-text token, at
 * {@code maxNewTokens} or at the context length. A decoder either runs the whole context again at each step
 * ({@link Decoder}) or reads only the tokens it has not read yet ({@link Incremental}, e.g. {@link CachedDecoder});
 * both give the same tokens.
 */
public final class Generation {
  private Generation() {}

  /**
   * How to pick the next token. topK 0 and topP 1 turn those filters off; temperature 0 is greedy. Only ids below
   * {@code vocabulary} are picked (0: every id the model has): a model's vocabulary is its preset's, its tokenizer's
   * can be smaller, and a sampled id the tokenizer does not know could not be decoded.
   */
  public record Sampling(double temperature, int topK, double topP, long seed, int vocabulary)
      implements java.io.Serializable {
    public static final Sampling GREEDY = new Sampling(0, 0, 1, 0);

    public Sampling {
      if (temperature < 0 || topK < 0 || !(topP > 0 && topP <= 1) || vocabulary < 0) {
        throw new IllegalArgumentException(
            "sampling needs temperature >= 0, top-k >= 0, 0 < top-p <= 1, vocabulary >= 0");
      }
    }

    /** Over every id the model has. */
    public Sampling(double temperature, int topK, double topP, long seed) {
      this(temperature, topK, topP, seed, 0);
    }

    /** The same, picking only ids below {@code vocabulary} (a tokenizer's size). */
    public Sampling within(int vocabulary) {
      return new Sampling(temperature, topK, topP, seed, vocabulary);
    }
  }

  /**
   * A decoder's forward pass for generation: token ids [B, 1, T] and their mask [B, T] in, logits
   * [B, prefix + T, V] out, where the first {@code prefix} positions belong to tokens in front of the text (an
   * image's visual tokens) and the logits at prefix + t predict the token after text position t.
   */
  @FunctionalInterface
  public interface Decoder {
    INDArray logits(INDArray ids, INDArray mask);
  }

  /**
   * A decoder that remembers what it has read: {@link #next} gets each listed sequence's logits [V] for the token
   * after its last one, reading only the tokens of it that it has not read before (the sequences only grow).
   */
  @FunctionalInterface
  public interface Incremental {
    double[][] next(int[] which, List<int[]> seqs);
  }

  /** A whole-context decoder as an {@link Incremental} one: every call runs every sequence's whole context. */
  static Incremental wholeContext(Decoder decoder, int prefix, int contextLength) {
    return (which, seqs) -> {
      INDArray ids = Nd4j.zeros(DataType.FLOAT, seqs.size(), 1, contextLength);
      INDArray mask = Nd4j.zeros(DataType.FLOAT, seqs.size(), contextLength);
      for (int i = 0; i < seqs.size(); i++) {
        int[] s = seqs.get(i);
        for (int t = 0; t < Math.min(s.length, contextLength); t++) {
          ids.putScalar(new long[] {i, 0, t}, s[t]);
          mask.putScalar(i, t, 1);
        }
      }
      INDArray logits = decoder.logits(ids, mask);                                          // [B, prefix+T, V]
      double[][] out = new double[which.length][];
      for (int k = 0; k < which.length; k++) {
        out[k] = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(which[k]),
            org.nd4j.linalg.indexing.NDArrayIndex.point(prefix + seqs.get(which[k]).length - 1),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector();                     // [V]
      }
      return out;
    };
  }

  /** The prompts continued; each result holds the prompt followed by the generated tokens (end token included). */
  public static List<int[]> generate(ComputationGraph lm, int contextLength, List<int[]> prompts, int maxNewTokens,
      int endOfText, Sampling sampling) {
    long[] seeds = seeds(sampling, prompts.size());
    return generate(new CachedDecoder(lm, null), contextLength, prompts, 0, maxNewTokens, endOfText, sampling, seeds);
  }

  /** One random stream per prompt, from the sampling's seed. */
  private static long[] seeds(Sampling sampling, int prompts) {
    long[] seeds = new long[prompts];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = sampling.seed() * 0x9E3779B97F4A7C15L + i;
    }
    return seeds;
  }

  /**
   * As above for any decoder whose text follows {@code prefix} other positions (see {@link Decoder}), with one random
   * stream per prompt ({@code seeds[i]}), so a prompt's tokens depend on its own seed only, not on which batch or
   * task it is decoded in; and at least {@code minNewTokens} tokens before the end-of-text token may be chosen
   * (BLIP's {@code min_length}), unless the context ends first.
   */
  public static List<int[]> generate(Decoder decoder, int prefix, int contextLength, List<int[]> prompts,
      int minNewTokens, int maxNewTokens, int endOfText, Sampling sampling, long[] seeds) {
    return generate(wholeContext(decoder, prefix, contextLength), contextLength, prompts, minNewTokens, maxNewTokens,
        endOfText, sampling, seeds);
  }

  /** As above with an {@link Incremental} decoder. */
  public static List<int[]> generate(Incremental decoder, int contextLength, List<int[]> prompts, int minNewTokens,
      int maxNewTokens, int endOfText, Sampling sampling, long[] seeds) {
    if (seeds.length != prompts.size()) {
      throw new IllegalArgumentException(seeds.length + " seeds for " + prompts.size() + " prompts");
    }
    List<int[]> seqs = new ArrayList<>(prompts);
    boolean[] done = new boolean[seqs.size()];
    SplittableRandom[] random = new SplittableRandom[seqs.size()];
    for (int i = 0; i < random.length; i++) {
      random[i] = new SplittableRandom(seeds[i]);
    }
    for (int step = 0; step < maxNewTokens; step++) {
      List<Integer> active = new ArrayList<>();
      for (int i = 0; i < seqs.size(); i++) {
        int[] s = seqs.get(i);
        done[i] |= s.length >= contextLength || s.length == 0;
        if (!done[i]) {
          active.add(i);
        }
      }
      if (active.isEmpty()) {
        break;
      }
      double[][] logits = decoder.next(active.stream().mapToInt(Integer::intValue).toArray(), seqs);
      for (int k = 0; k < active.size(); k++) {
        int i = active.get(k);
        int[] s = seqs.get(i);
        double[] next = logits[k];                                                               // [V]
        if (sampling.vocabulary() > 0 && sampling.vocabulary() < next.length) {
          next = Arrays.copyOf(next, sampling.vocabulary());                                     // [V'] known ids
        }
        if (step < minNewTokens && endOfText >= 0 && endOfText < next.length) {
          next[endOfText] = Double.NEGATIVE_INFINITY;
        }
        int token = pick(next, sampling, random[i]);
        int[] longer = Arrays.copyOf(s, s.length + 1);
        longer[s.length] = token;
        seqs.set(i, longer);
        done[i] = token == endOfText;
      }
    }
    return seqs;
  }

  /** The next token from one position's logits. */
  static int pick(double[] logits, Sampling s, SplittableRandom random) {
    if (s.temperature() == 0) {
      return argMax(logits);
    }
    int v = logits.length;
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));                      // best first
    int keep = s.topK() > 0 ? Math.min(s.topK(), v) : v;
    double max = logits[order[0]];
    double[] p = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      p[i] = Math.exp((logits[order[i]] - max) / s.temperature());
      sum += p[i];
    }
    // nucleus: the smallest prefix (best first) whose probability reaches top-p
    double cumulative = 0;
    int nucleus = keep;
    for (int i = 0; i < keep; i++) {
      cumulative += p[i] / sum;
      if (cumulative >= s.topP()) {
        nucleus = i + 1;
        break;
      }
    }
    double total = 0;
    for (int i = 0; i < nucleus; i++) {
      total += p[i];
    }
    double u = random.nextDouble() * total;
    for (int i = 0; i < nucleus; i++) {
      u -= p[i];
      if (u <= 0) {
        return order[i];
      }
    }
    return order[nucleus - 1];
  }

  private static int argMax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
