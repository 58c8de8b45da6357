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

/** TokenPool's forward and backward: gather one row per sequence, norm it, project it. */
final class TokenPoolRuntime extends HandRuntime<TokenPool> {
  private int[] picked = new int[0];
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

  @Override
  protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
    TokenPool l = layerConf();
    int b = (int) epsilon.size(0);
    int w = l.getWidth();
    int t = (int) input.size(1);
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    INDArray dE = HandRows.matrix(epsilon, b, l.getEmbedDim());
    INDArray normedn = cache.array("normed", dt, b, w);
    Gemm.mm(normedn, true, dE, false, gradients.get(PROJECTION));
    INDArray dNormed = tmp.array("dnormed", dt, b, w);
    Gemm.mm(dE, false, params.get(PROJECTION), true, dNormed);
    Buf dTok = tmp.buf("dtokens", dt, (long) b * w);
    Buf dGain = tmp.buf("dGain", dt, w);
    Buf dBias = tmp.buf("dBias", dt, w);
    LayerNorm.backward(tmp.read("dnormed", dNormed), cache.buf("xhat", dt, (long) b * w), cache.buf("rstd", dt, b),
        HandRows.param(params.get(LN_GAIN), LN_GAIN), dTok, dGain, dBias, b, w, false);
    HandRows.setGradient(gradients.get(LN_GAIN), dGain);
    HandRows.setGradient(gradients.get(LN_BIAS), dBias);
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
