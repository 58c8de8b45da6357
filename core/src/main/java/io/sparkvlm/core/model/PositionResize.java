package io.sparkvlm.core.model;

import io.sparkvlm.core.model.layers.VisionEmbedding;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resolution scaling of a ViT: a CLIP trained at one image size continues at another (LLaVA-1.5 moves from 224 to
 * 336 pixels) with its learned patch positions resampled to the new grid, bicubic as PyTorch's
 * {@code F.interpolate(mode="bicubic", align_corners=False)} (cubic convolution, A = -0.75, border clamp); the
 * class token's position is kept. (OpenCLIP's resize_pos_embed defaults to antialias=True, PIL's a = -0.5 kernel
 * with normalised border weights: not matched here.)
 */
public final class PositionResize {
  private static final double A = -0.75;

  private PositionResize() {}

  /** [C][g][g] -> [C][size][size]. */
  public static double[][][] bicubic(double[][][] grid, int size) {
    int in = grid[0].length;
    double scale = (double) in / size;
    double[][][] out = new double[grid.length][size][size];
    for (int c = 0; c < grid.length; c++) {
      for (int y = 0; y < size; y++) {
        double ry = scale * (y + 0.5) - 0.5;
        int iy = (int) Math.floor(ry);
        double[] wy = weights(ry - iy);
        for (int x = 0; x < size; x++) {
          double rx = scale * (x + 0.5) - 0.5;
          int ix = (int) Math.floor(rx);
          double[] wx = weights(rx - ix);
          double v = 0;
          for (int j = 0; j < 4; j++) {
            int sy = clamp(iy - 1 + j, in);
            for (int i = 0; i < 4; i++) {
              v += wy[j] * wx[i] * grid[c][sy][clamp(ix - 1 + i, in)];
            }
          }
          out[c][y][x] = v;
        }
      }
    }
    return out;
  }

  /** Cubic convolution weights of the four taps around a point at fraction t past the second. */
  private static double[] weights(double t) {
    double t1 = t + 1;
    double u = 1 - t;
    double u1 = 2 - t;
    return new double[] {
        ((A * t1 - 5 * A) * t1 + 8 * A) * t1 - 4 * A,
        ((A + 2) * t - (A + 3)) * t * t + 1,
        ((A + 2) * u - (A + 3)) * u * u + 1,
        ((A * u1 - 5 * A) * u1 + 8 * A) * u1 - 4 * A};
  }

  private static int clamp(int i, int n) {
    return Math.max(0, Math.min(n - 1, i));
  }

  /**
   * A new CLIP for images of {@code imageSize} (same patch size), with {@code model}'s parameters and the patch
   * positions resampled; the optimiser starts fresh (fine-tuning at the new size is a new run).
   */
  public static ComputationGraph withImageSize(ComputationGraph model, ClipShape shape, int imageSize,
      Optimiser optimiser, long seed) {
    ClipShape larger = new ClipShape(shape.name() + "-" + imageSize, shape.vision(), shape.text(), imageSize,
        shape.patchSize(), shape.contextLength(), shape.vocabSize(), shape.embedDim(), shape.imagePool(),
        shape.preprocess());
    if (imageSize % shape.patchSize() != 0) {
      throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of the patch size "
          + shape.patchSize());
    }
    ComputationGraph out = ClipModel.build(larger, optimiser, model.getConfiguration().getDataType(), seed,
        ClipModel.Trainable.ALL);
    for (Map.Entry<String, INDArray> e : model.paramTable().entrySet()) {
      String key = e.getKey();
      // assign into the parameter views: DL4J M2.1's SameDiffLayer.setParam checks the shape and then does nothing
      if (key.equals("visionStem_" + VisionEmbedding.POSITIONS)) {
        out.getParam(key).assign(resizePositions(e.getValue(), shape.imageSize() / shape.patchSize(),
            imageSize / shape.patchSize()));
      } else {
        out.getParam(key).assign(e.getValue());
      }
    }
    return out;
  }

  /** [1 + g*g, W] (class position first, then the grid row by row) -> [1 + n*n, W]. */
  static INDArray resizePositions(INDArray positions, int g, int n) {
    long width = positions.size(1);
    double[][][] grid = new double[(int) width][g][g];
    for (int p = 0; p < g * g; p++) {
      for (int w = 0; w < width; w++) {
        grid[w][p / g][p % g] = positions.getDouble(1 + p, w);
      }
    }
    double[][][] resized = bicubic(grid, n);
    INDArray out = org.nd4j.linalg.factory.Nd4j.create(positions.dataType(), 1 + (long) n * n, width);
    for (int w = 0; w < width; w++) {
      out.putScalar(new long[] {0, w}, positions.getDouble(0, w));                // the class token's position
    }
    for (int p = 0; p < n * n; p++) {
      for (int w = 0; w < width; w++) {
        out.putScalar(new long[] {1 + p, w}, resized[w][p / n][p % n]);
      }
    }
    return out;
  }
}
