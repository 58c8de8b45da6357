package io.sparkvlm.core.model.layers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvlm.core.model.Nd4jThreads;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttentionSoftmaxTest {
  private final int before = Nd4jThreads.current();

  @AfterEach
  void restoreThreads() {
    Nd4jThreads.set(before);
  }

  /** The softmax straight from its definition, in double: allowed keys only, a row with none all zeros. */
  private static double[] reference(double[] s, double[] keyMask, int groups, int heads, int queries, int keys,
      double scale, boolean causal) {
    double[] p = new double[s.length];
    for (int g = 0; g < groups; g++) {
      for (int i = 0; i < queries; i++) {
        int o = (g * queries + i) * keys;
        double sum = 0;
        for (int j = 0; j < keys; j++) {
          boolean allowed = (!causal || j <= i) && (keyMask == null || keyMask[(g / heads) * keys + j] != 0);
          if (allowed) {
            p[o + j] = Math.exp(s[o + j] * scale);
            sum += p[o + j];
          }
        }
        for (int j = 0; j < keys; j++) {
          p[o + j] = sum > 0 ? p[o + j] / sum : 0;
        }
      }
    }
    return p;
  }

  @Test
  void floatPathEqualsTheDefinitionWithPaddingCausalityAndEmptyRows() {
    // 3 batch rows x 2 heads; 7 keys (not a multiple of the partial sums' 4); batch row 1 pads its last 3 keys,
    // batch row 2 is all padding (every query row of its groups empty)
    int batch = 3;
    int heads = 2;
    int groups = batch * heads;
    int keys = 7;
    Random random = new Random(5);
    double[] mask = new double[batch * keys];
    for (int j = 0; j < keys; j++) {
      mask[j] = 1;
      mask[keys + j] = j < 4 ? 1 : 0;
    }
    for (int threads : new int[] {1, 2}) {
      Nd4jThreads.set(threads);
      for (boolean causal : new boolean[] {false, true}) {
        for (int queries : new int[] {keys, 3}) {
          double[] s = new double[groups * queries * keys];
          float[] sf = new float[s.length];
          for (int e = 0; e < s.length; e++) {
            // scores spread wide enough that an unshifted exponential would overflow a float
            sf[e] = (float) (random.nextGaussian() * 40);
            s[e] = sf[e];
          }
          float[] maskF = new float[mask.length];
          for (int e = 0; e < mask.length; e++) {
            maskF[e] = (float) mask[e];
          }
          Buf p = Buf.allocate(org.nd4j.linalg.api.buffer.DataType.FLOAT, s.length);
          AttentionSoftmax.forward(Buf.of(sf), p, Buf.of(maskF), groups, heads, queries, keys, 1.0, causal);
          double[] expected = reference(s, mask, groups, heads, queries, keys, 1.0, causal);
          for (int e = 0; e < s.length; e++) {
            String where = "threads " + threads + ", causal " + causal + ", queries " + queries + ", element " + e;
            if (expected[e] == 0) {
              assertEquals(0.0, p.get(e), 0.0, where + ": a masked key (or an empty row) must be exactly 0");
            } else {
              assertEquals(expected[e], p.get(e), 2e-6 + 2e-5 * expected[e], where);
            }
          }
          for (int r = 0; r < groups * queries; r++) {
            double sum = 0;
            for (int j = 0; j < keys; j++) {
              sum += p.get(r * keys + j);
            }
            boolean empty = r / queries / heads == 2;
            assertTrue(empty ? sum == 0 : Math.abs(sum - 1) < 1e-5, "row " + r + " sums to " + sum);
          }
        }
      }
    }
  }
}
