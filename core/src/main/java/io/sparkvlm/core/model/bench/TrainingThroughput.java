package io.sparkvlm.core.model.bench;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.HardNegatives;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training steps per second of a model shape (CLIP, decoder LM, vision-language model, matching model) in one
 * process (no Spark), on one fixed random batch (the data pipeline is not measured), and where the step's time
 * goes: forward alone vs forward + backward + update.
 */
public final class TrainingThroughput {
  private TrainingThroughput() {}

  public record Result(String model, int batch, double medianStepSeconds, double samplesPerSecond,
      double medianForwardSeconds, double modelGflops) {}

  /** A model ready to be timed: its graph, one fixed batch, the batch's samples and training FLOPs per sample. */
  public record Prepared(String model, ComputationGraph graph, MultiDataSet data, int batch, long trainingFlops) {}

  public static Result measure(ClipShape shape, int batch, int warmup, int steps) {
    return measure(prepare(shape, batch), warmup, steps);
  }

  public static Prepared prepare(ClipShape shape, int batch) {
    ComputationGraph g = ClipModel.build(shape, Optimiser.adam(1e-4), DataType.FLOAT, 1,
        ClipModel.Trainable.ALL);
    return new Prepared("clip " + shape.name(), g, randomBatch(shape, batch, new SplittableRandom(3)), batch,
        shape.trainingFlopsPerSample());
  }

  /** The decoder LM of a shape, on full-length random sequences, every target learned. */
  public static Result measure(LanguageModel.Shape shape, int batch, int warmup, int steps) {
    return measure(prepare(shape, batch), warmup, steps);
  }

  public static Prepared prepare(LanguageModel.Shape shape, int batch) {
    ComputationGraph g = LanguageModel.build(shape, Optimiser.adam(1e-4), DataType.FLOAT, 1);
    List<int[]> seqs = randomSequences(shape.vocabSize(), shape.contextLength() + 1, batch,
        new SplittableRandom(3));
    return new Prepared("lm " + shape.name(), g, LanguageModel.batch(seqs, LanguageModel.learnAll(seqs),
        shape.contextLength()), batch, 3 * shape.forwardFlopsPerSample());
  }

  /** A vision-language model, every layer training, on random images and full-length random sequences. */
  public static Result measure(VisionLanguageModel.Shape shape, int batch, int warmup, int steps) {
    return measure(prepare(shape, batch), warmup, steps);
  }

  public static Prepared prepare(VisionLanguageModel.Shape shape, int batch) {
    ComputationGraph g = VisionLanguageModel.build(shape, Optimiser.adam(1e-4), DataType.FLOAT, 1,
        VisionLanguageModel.Trainable.ALL);
    SplittableRandom r = new SplittableRandom(3);
    INDArray images = randomImages(shape.vision().imageSize(), batch, r);
    List<int[]> seqs = randomSequences(shape.lm().vocabSize(), shape.lm().contextLength() + 1, batch, r);
    return new Prepared("vlm " + shape.name() + " (" + shape.connector().name() + ")", g,
        VisionLanguageModel.batch(shape, images, seqs, LanguageModel.learnAll(seqs)), batch,
        3 * shape.forwardFlopsPerSample());
  }

  /** The matching model on BLIP batches: a third of the rows positive pairs, two thirds hard negatives. */
  public static Result measure(MatchingModel.Shape shape, int batch, int warmup, int steps) {
    return measure(prepare(shape, batch), warmup, steps);
  }

  public static Prepared prepare(MatchingModel.Shape shape, int batch) {
    ComputationGraph g = MatchingModel.build(shape, Optimiser.adam(1e-4), DataType.FLOAT, 1);
    int pairs = Math.max(2, batch / 3);
    SplittableRandom r = new SplittableRandom(3);
    INDArray images = randomImages(shape.vision().imageSize(), pairs, r);
    List<int[]> texts = randomSequences(shape.text().vocabSize(), shape.text().contextLength(), pairs, r);
    double[][] logits = new double[pairs][pairs];
    long[] ids = new long[pairs];
    for (int i = 0; i < pairs; i++) {
      ids[i] = i;
      for (int j = 0; j < pairs; j++) {
        logits[i][j] = r.nextGaussian();
      }
    }
    return new Prepared("itm " + shape.name(), g, MatchingModel.batch(shape, images, texts,
        HardNegatives.sample(logits, ids, r)), 3 * pairs, 3 * shape.forwardFlopsPerSample());
  }

  private static List<int[]> randomSequences(int vocab, int length, int n, SplittableRandom r) {
    List<int[]> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] t = new int[length];
      for (int j = 0; j < t.length; j++) {
        t[j] = 7 + r.nextInt(vocab - 7);
      }
      seqs.add(t);
    }
    return seqs;
  }

  /**
   * Where a training step's time goes: milliseconds per step in each kind of op (the layers' kernels and matrix
   * products, {@code OpProfile}), the step's total, and what is left (DL4J's graph and updater, the layers' own loops).
   */
  public static java.util.Map<String, Double> profile(Prepared p, int warmup, int steps) {
    for (int i = 0; i < warmup; i++) {
      p.graph().fit(p.data());
    }
    io.sparkvlm.core.model.layers.kernels.OpProfile.reset();
    io.sparkvlm.core.model.layers.kernels.OpProfile.enable(true);
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < steps; i++) {
        p.graph().fit(p.data());
      }
    } finally {
      io.sparkvlm.core.model.layers.kernels.OpProfile.enable(false);
    }
    double stepMs = (System.nanoTime() - t0) / 1e6 / steps;
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    double ops = 0;
    for (var e : io.sparkvlm.core.model.layers.kernels.OpProfile.seconds().entrySet()) {
      out.put(e.getKey(), 1000 * e.getValue() / steps);
      ops += 1000 * e.getValue() / steps;
    }
    out.put("rest (DL4J graph and updater, layer loops)", stepMs - ops);
    out.put("step", stepMs);
    return out;
  }

  public static Result measure(Prepared p, int warmup, int steps) {
    return measure(p.model(), p.graph(), p.data(), p.batch(), p.trainingFlops(), warmup, steps);
  }

  static Result measure(String model, ComputationGraph g, MultiDataSet data, int batch, long trainingFlops,
      int warmup, int steps) {
    for (int i = 0; i < warmup; i++) {
      g.fit(data);
    }
    double[] step = new double[steps];
    for (int i = 0; i < steps; i++) {
      long t0 = System.nanoTime();
      g.fit(data);
      Nd4j.getExecutioner().commit();
      step[i] = (System.nanoTime() - t0) / 1e9;
    }
    double[] forward = new double[steps];
    g.setLayerMaskArrays(data.getFeaturesMaskArrays(), null);
    for (int i = 0; i < steps; i++) {
      long t0 = System.nanoTime();
      g.feedForward(data.getFeatures(), true, false);
      Nd4j.getExecutioner().commit();
      forward[i] = (System.nanoTime() - t0) / 1e9;
    }
    g.clearLayerMaskArrays();
    double median = median(step);
    double samples = batch / median;
    return new Result(model, batch, median, samples, median(forward), samples * trainingFlops / 1e9);
  }

  static MultiDataSet randomBatch(ClipShape s, int batch, SplittableRandom r) {
    List<float[]> pixels = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      float[] p = new float[3 * s.imageSize() * s.imageSize()];
      for (int j = 0; j < p.length; j++) {
        p[j] = (float) r.nextGaussian();
      }
      pixels.add(p);
      int[] t = new int[s.contextLength()];       // a full-length caption: all positions computed anyway
      for (int j = 0; j < t.length; j++) {
        t[j] = 7 + r.nextInt(s.vocabSize() - 7);
      }
      tokens.add(t);
    }
    return ClipInputs.batch(pixels, tokens, s);
  }

  static INDArray randomImages(int size, int n, SplittableRandom r) {
    List<float[]> pixels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] p = new float[3 * size * size];
      for (int j = 0; j < p.length; j++) {
        p[j] = (float) r.nextGaussian();
      }
      pixels.add(p);
    }
    return ClipInputs.images(pixels, size);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
