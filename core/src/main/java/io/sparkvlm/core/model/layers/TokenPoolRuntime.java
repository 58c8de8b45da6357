package io.sparkvlm.core.model.layers;

import static io.sparkvlm.core.model.layers.TokenPool.*;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import io.sparkvlm.core.model.layers.kernels.Native;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * TokenPool's forward and backward: gather one row per sequence, norm it, project it; or, for
 * {@link TokenPool.Pick#PATCH_MAX}, norm every patch token, take each channel's maximum over them and project that.
 */
final class TokenPoolRuntime extends HandRuntime<TokenPool> {
  private int[] picked = new int[0];
  /** PATCH_MAX: for sequence i and channel c, the patch (0-based, after the first token) whose value was kept. */
  private int[] argmax = new int[0];
  private INDArray poolMask;

  TokenPoolRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** The position each sequence is represented by. */
  private int[] positions(int batch, int time) {
    TokenPool l = layerConf();
    int[] at = new int[batch];
    for (int i = 0; i < batch; i++) {
      at[i] = switch (l.getPick()) {
        case FIRST -> 0;
        case PATCH_MAX -> throw new IllegalStateException("PATCH_MAX pools every patch, not one position");
        case AT -> l.getPosition();
        case LAST -> {
          int last = time - 1;
          if (poolMask != null) {
            last = -1;
            for (int t = 0; t < time; t++) {
              if (poolMask.getDouble(i, t) != 0) {
                last = t;
              }
            }
            if (last < 0) {
              throw new IllegalArgumentException("TokenPool '" + l.getLayerName() + "': sequence " + i
                  + " of the batch has no token (its mask is all zeros)");
            }
          }
          yield last;
        }
      };
    }
    return at;
  }

  @Override
  protected INDArray forward(INDArray x, LayerWorkspaceMgr mgr) {
    TokenPool l = layerConf();
    int b = (int) x.size(0);
    int t = (int) x.size(1);
    int w = l.getWidth();
    if (x.rank() != 3 || x.size(2) != w) {
      throw new IllegalArgumentException("TokenPool '" + l.getLayerName() + "' expects [batch, time, " + w
          + "], got " + java.util.Arrays.toString(x.shape()));
    }
    if (l.getPick() == TokenPool.Pick.PATCH_MAX) {
      return forwardPatchMax(x, b, t, w, mgr);
    }
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    picked = positions(b, t);
    Buf all = tmp.read("x", x);
    Buf tok = tmp.buf("tokens", dt, (long) b * w);
    for (int i = 0; i < b; i++) {
      Buf.copy(all, (i * t + picked[i]) * w, tok, i * w, w);
    }
    Buf normed = tmp.buf("normed", dt, (long) b * w);
    LayerNorm.forward(tok, HandRows.param(params.get(LN_GAIN), LN_GAIN), HandRows.param(params.get(LN_BIAS), LN_BIAS),
        normed, cache.buf("xhat", dt, (long) b * w), cache.buf("rstd", dt, b), b, w, l.getNormEps());
    INDArray normedn = cache.array("normed", dt, b, w);
    Native.write(normed, normedn);
    INDArray out = output(mgr, b, l.getEmbedDim());
    Gemm.mm(normedn, false, params.get(PROJECTION), false, out);
    return out;
  }

  /** [B, T, W] -> every patch token (1..T-1) normed [B(T-1), W] -> max over the patches [B, W] -> [B, E]. */
  private INDArray forwardPatchMax(INDArray x, int b, int t, int w, LayerWorkspaceMgr mgr) {
    TokenPool l = layerConf();
    if (t < 2) {
      throw new IllegalArgumentException("TokenPool '" + l.getLayerName() + "' pools patch tokens, but its input has "
          + t + " token(s): a class token and no patch");
    }
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    int p = t - 1;
    int rows = b * p;
    Buf all = tmp.read("x", x);
    Buf patches = tmp.buf("patches", dt, (long) rows * w);
    for (int i = 0; i < b; i++) {
      Buf.copy(all, (i * t + 1) * w, patches, i * p * w, p * w);                  // drop the class token
    }
    Buf normed = tmp.buf("normedPatches", dt, (long) rows * w);
    LayerNorm.forward(patches, HandRows.param(params.get(LN_GAIN), LN_GAIN), HandRows.param(params.get(LN_BIAS),
        LN_BIAS), normed, cache.buf("xhat", dt, (long) rows * w), cache.buf("rstd", dt, rows), rows, w,
        l.getNormEps());
    Buf pooled = tmp.buf("pooled", dt, (long) b * w);
    if (argmax.length != b * w) {
      argmax = new int[b * w];
    }
    for (int i = 0; i < b; i++) {
      for (int c = 0; c < w; c++) {
        int best = 0;
        double max = normed.get(i * p * w + c);
        for (int j = 1; j < p; j++) {
          double v = normed.get((i * p + j) * w + c);
          if (v > max) {
            max = v;
            best = j;
          }
        }
        pooled.set(i * w + c, max);
        argmax[i * w + c] = best;
      }
    }
    INDArray pooledn = cache.array("normed", dt, b, w);                          // [B, W]
    Native.write(pooled, pooledn);
    INDArray out = output(mgr, b, l.getEmbedDim());
    Gemm.mm(pooledn, false, params.get(PROJECTION), false, out);
    return out;
  }

  /** The gradient of {@link #forwardPatchMax}: each channel's gradient to the patch that held its maximum. */
  private INDArray backwardPatchMax(INDArray epsilon, LayerWorkspaceMgr mgr) {
    TokenPool l = layerConf();
    int b = (int) epsilon.size(0);
    int w = l.getWidth();
    int t = (int) input.size(1);
    int p = t - 1;
    int rows = b * p;
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    Buf dPool = tmp.read("dpooled", projectionBackward(epsilon, b, w, tmp));
    Buf dNormed = tmp.buf("dnormedPatches", dt, (long) rows * w);
    dNormed.clear(rows * w);
    for (int i = 0; i < b; i++) {
      for (int c = 0; c < w; c++) {
        dNormed.set((i * p + argmax[i * w + c]) * w + c, dPool.get(i * w + c));
      }
    }
    Buf dPatches = normBackward(dNormed, rows, w, tmp);
    Buf dx = tmp.buf("dx", dt, (long) b * t * w);
    dx.clear(b * t * w);                                                           // the class token: unused
    for (int i = 0; i < b; i++) {
      Buf.copy(dPatches, i * p * w, dx, (i * t + 1) * w, p * w);
    }
    INDArray out = inputGradient(mgr, b, t, w);
    Native.write(dx, out);
    return out;
  }

  /**
   * The projection's backward from epsilon [B, E]: its weight gradient from the cached pooled rows [B, W]; returns the
   * pooled rows' gradient [B, W].
   */
  private INDArray projectionBackward(INDArray epsilon, int b, int w, Arena tmp) {
    INDArray dE = HandRows.matrix(epsilon, b, layerConf().getEmbedDim());
    Gemm.mm(cache.array("normed", dataType, b, w), true, dE, false, gradients.get(PROJECTION));
    INDArray dPooled = tmp.array("dpooled", dataType, b, w);
    Gemm.mm(dE, false, params.get(PROJECTION), true, dPooled);
    return dPooled;
  }

  /** ln_post's backward over the {@code rows} rows it normed: sets its gain and bias gradients, returns dInput. */
  private Buf normBackward(Buf dNormed, int rows, int w, Arena tmp) {
    DataType dt = dataType;
    Buf dIn = tmp.buf("dnormin", dt, (long) rows * w);
    Buf dGain = tmp.buf("dGain", dt, w);
    Buf dBias = tmp.buf("dBias", dt, w);
    LayerNorm.backward(dNormed, cache.buf("xhat", dt, (long) rows * w), cache.buf("rstd", dt, rows),
        HandRows.param(params.get(LN_GAIN), LN_GAIN), dIn, dGain, dBias, rows, w, false);
    HandRows.setGradient(gradients.get(LN_GAIN), dGain);
    HandRows.setGradient(gradients.get(LN_BIAS), dBias);
    return dIn;
  }

  @Override
  protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
    TokenPool l = layerConf();
    if (l.getPick() == TokenPool.Pick.PATCH_MAX) {
      return backwardPatchMax(epsilon, mgr);
    }
    int b = (int) epsilon.size(0);
    int w = l.getWidth();
    int t = (int) input.size(1);
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    Buf dTok = normBackward(tmp.read("dpooled", projectionBackward(epsilon, b, w, tmp)), b, w, tmp);
    Buf dx = tmp.buf("dx", dt, (long) b * t * w);
    dx.clear(b * t * w);
    for (int i = 0; i < b; i++) {
      Buf.copy(dTok, i * w, dx, (i * t + picked[i]) * w, w);
    }
    INDArray out = inputGradient(mgr, b, t, w);
    Native.write(dx, out);
    return out;
  }

  @Override
  public void setMaskArray(INDArray mask) {
    this.poolMask = mask;
    this.maskArray = null;
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
      int minibatchSize) {
    this.poolMask = maskArray;
    this.maskArray = null;
    return new Pair<>(null, null); // one vector per sequence: no mask beyond this layer
  }
}
