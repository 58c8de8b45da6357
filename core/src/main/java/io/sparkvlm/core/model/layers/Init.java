package io.sparkvlm.core.model.layers;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Deterministic parameter initialisation (a fixed seed per parameter kind; the network seed varies runs). */
final class Init {
  private Init() {}

  static void normal(INDArray a, double std, long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ a.length());
    for (long i = 0; i < a.length(); i++) {
      double u = 1 - r.nextDouble();
      double v = r.nextDouble();
      a.putScalar(i, std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    }
  }
}
