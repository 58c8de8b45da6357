package io.sparkvlm.core.model.bench;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training steps per second of a CLIP shape in one process (no Spark), on one fixed random batch (the data
 * pipeline is not measured), and where the step's time goes: forward alone vs forward + backward + update.
 */
public final class TrainingThroughput {
  private TrainingThroughput() {}

  public record Result(String model, int batch, double medianStepSeconds, double samplesPerSecond,
      double medianForwardSeconds, double modelGflops) {}

  public static Result measure(ClipShape shape, int batch, int warmup, int steps) {
    ComputationGraph g = ClipModel.build(shape, Optimiser.adam(1e-4), DataType.FLOAT, 1,
        ClipModel.Trainable.ALL);
    return measure("clip " + shape.name(), g, randomBatch(shape, batch, new SplittableRandom(3)), batch,
        shape.trainingFlopsPerSample(), warmup, steps);
  }

  /** The decoder LM of a shape, on full-length random sequences, every target learned. */
  public static Result measure(LanguageModel.Shape shape, int batch, int warmup, int steps) {
    ComputationGraph g = LanguageModel.build(shape, Optimiser.adam(1e-4), DataType.FLOAT, 1);
    SplittableRandom r = new SplittableRandom(3);
    List<int[]> seqs = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      int[] t = new int[shape.contextLength() + 1];
      for (int j = 0; j < t.length; j++) {
        t[j] = 7 + r.nextInt(shape.vocabSize() - 7);
      }
      seqs.add(t);
    }
    return measure("lm " + shape.name(), g, LanguageModel.batch(seqs, LanguageModel.learnAll(seqs),
        shape.contextLength()), batch, 3 * shape.forwardFlopsPerSample(), warmup, steps);
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

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
