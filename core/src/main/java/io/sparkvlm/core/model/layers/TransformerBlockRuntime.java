package io.sparkvlm.core.model.layers;

import static io.sparkvlm.core.model.layers.TransformerBlock.*;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.ColumnSums;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.HeadMatrices;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import io.sparkvlm.core.model.layers.kernels.Native;
import io.sparkvlm.core.model.layers.kernels.Rows;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The transformer block's forward and backward. Products are BLAS gemms over [batch * time, ...] matrices, and one
 * per (batch, head) for attention, reading the heads where the in-projection wrote them ({@link HeadMatrices});
 * norms, GELU, the masked softmax, residual sums and most bias gradients are Java kernels. Forward keeps ln1, qkv
 * (biased), the attention probabilities, ctx, ln2 and the GELU output (native, for the backward products) and the
 * norms' xhat and rstd, h, the GELU pre-activation and gate (heap).
 */
final class TransformerBlockRuntime extends HandRuntime<TransformerBlock> {
  /** The in-projection's output [N, 3C], bias added: queries, keys and values side by side, in this order. */
  private static final String QKV = "qkv";
  private static final int Q = 0;
  private static final int K = 1;
  private static final int V = 2;
  /** The attention's output [N, C] before the out-projection, heads side by side. */
  private static final String CONTEXT = "ctx";

  TransformerBlockRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private record Dims(int b, int t, int c, int h, int d, int f) {
    int n() {
      return b * t;
    }
  }

  /** Part {@code part} of token-major rows [B * T, parts * C], as one [T, D] matrix per (batch row, head). */
  private static HeadMatrices heads(INDArray rows, Dims m, int part) {
    return HeadMatrices.tokenMajor(rows, m.b(), m.h(), m.t(), m.d(), part);
  }

  private Dims dims(INDArray x) {
    TransformerBlock l = layerConf();
    if (x.rank() != 3 || x.size(2) != l.getWidth() || x.size(1) != l.getTimeSteps()) {
      throw new IllegalArgumentException("TransformerBlock '" + l.getLayerName() + "' expects [batch, "
          + l.getTimeSteps() + ", " + l.getWidth() + "], got " + Arrays.toString(x.shape()));
    }
    int c = l.getWidth();
    return new Dims((int) x.size(0), (int) x.size(1), c, l.getHeads(), c / l.getHeads(), c * l.getMlpRatio());
  }

  @Override
  protected INDArray forward(INDArray x, LayerWorkspaceMgr mgr) {
    TransformerBlock l = layerConf();
    Dims m = dims(x);
    int n = m.n();
    int c = m.c();
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    Buf xb = tmp.read("x", x);                                                           // [N, C]
    // attention
    Buf ln1 = tmp.buf("ln", dt, (long) n * c);
    LayerNorm.forward(xb, HandRows.param(params.get(LN1_GAIN), LN1_GAIN), HandRows.param(params.get(LN1_BIAS),
        LN1_BIAS), ln1, cache.buf("xhat1", dt, (long) n * c), cache.buf("rstd1", dt, n), n, c, l.getNormEps());
    INDArray ln1n = cache.array("ln1", dt, n, c);
    Native.write(ln1, ln1n);
    INDArray qkv = cache.array(QKV, dt, n, 3L * c);                                        // [N, 3C]: q | k | v
    Gemm.mm(ln1n, false, params.get(IN_W), false, qkv);
    Rows.addBias(qkv, params.get(IN_B));
    INDArray ctxn = cache.array(CONTEXT, dt, n, c);                                       // [N, C], heads side by side
    HeadAttention.forward(cache, dt, heads(qkv, m, Q), heads(qkv, m, K), heads(qkv, m, V),
        HandRows.mask(maskArray, dt, "mask"), l.isCausal(), heads(ctxn, m, 0));
    INDArray attnOut = tmp.array("rows", dt, n, c);
    Gemm.mm(ctxn, false, params.get(OUT_W), false, attnOut);
    Buf h = cache.buf("h", dt, (long) n * c);
    Rows.addWithBias(xb, tmp.read("rows", attnOut), HandRows.param(params.get(OUT_B), OUT_B), h, n, c);
    // MLP
    Buf ln2 = tmp.buf("ln", dt, (long) n * c);
    LayerNorm.forward(h, HandRows.param(params.get(LN2_GAIN), LN2_GAIN), HandRows.param(params.get(LN2_BIAS),
        LN2_BIAS), ln2, cache.buf("xhat2", dt, (long) n * c), cache.buf("rstd2", dt, n), n, c, l.getNormEps());
    INDArray ln2n = cache.array("ln2", dt, n, c);
    Native.write(ln2, ln2n);
    INDArray fc = tmp.array("fc", dt, n, m.f());                                           // [N, F]
    Gemm.mm(ln2n, false, params.get(FC_W), false, fc);
    Buf act = tmp.buf("act", dt, (long) n * m.f());
    l.getGelu().forward(tmp.read("fc", fc), HandRows.param(params.get(FC_B), FC_B),
        cache.buf("pre", dt, (long) n * m.f()), act, cache.buf("gate", dt, (long) n * m.f()), n, m.f());
    INDArray actn = cache.array("act", dt, n, m.f());
    Native.write(act, actn);
    INDArray proj = tmp.array("rows", dt, n, c);
    Gemm.mm(actn, false, params.get(PROJ_W), false, proj);
    Buf y = tmp.buf("y", dt, (long) n * c);
    Rows.addWithBias(h, tmp.read("rows", proj), HandRows.param(params.get(PROJ_B), PROJ_B), y, n, c);
    INDArray out = output(mgr, m.b(), m.t(), c);                                         // [B, T, C]
    Native.write(y, out);
    return out;
  }

  @Override
  protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
    TransformerBlock l = layerConf();
    Dims m = dims(epsilon);
    int n = m.n();
    int c = m.c();
    int f = m.f();
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    INDArray dy = HandRows.matrix(epsilon, n, c);                                         // [N, C]
    Buf dyb = tmp.read("dy", dy);
    Buf grad = HandRows.gradientBuffer(dt, 3L * c + f);
    // MLP: y = h + act W_proj + b_proj
    ColumnSums.sum(dyb, grad, n, c);
    HandRows.setGradient(gradients.get(PROJ_B), grad);
    Gemm.mm(cache.array("act", dt, n, f), true, dy, false, gradients.get(PROJ_W));
    INDArray dAct = tmp.array("fc", dt, n, f);
    Gemm.mm(dy, false, params.get(PROJ_W), true, dAct);
    Buf dPre = tmp.read("fc", dAct);
    l.getGelu().backward(dPre, cache.buf("pre", dt, (long) n * f), cache.buf("gate", dt, (long) n * f), dPre, n, f);
    ColumnSums.sum(dPre, grad, n, f);
    HandRows.setGradient(gradients.get(FC_B), grad);
    Native.write(dPre, dAct);
    Gemm.mm(cache.array("ln2", dt, n, c), true, dAct, false, gradients.get(FC_W));
    INDArray dLn2 = tmp.array("rows", dt, n, c);
    Gemm.mm(dAct, false, params.get(FC_W), true, dLn2);
    // dh = dy + LN2'(dln2)
    Buf dh = tmp.buf("dh", dt, (long) n * c);
    dyb.copyTo(dh, n * c);
    Buf dGain = tmp.buf("dGain", dt, c);
    LayerNorm.backward(tmp.read("rows", dLn2), cache.buf("xhat2", dt, (long) n * c), cache.buf("rstd2", dt, n),
        HandRows.param(params.get(LN2_GAIN), LN2_GAIN), dh, dGain, grad, n, c, true);
    HandRows.setGradient(gradients.get(LN2_GAIN), dGain);
    HandRows.setGradient(gradients.get(LN2_BIAS), grad);
    // attention: h = x + ctx W_out + b_out
    ColumnSums.sum(dh, grad, n, c);
    HandRows.setGradient(gradients.get(OUT_B), grad);
    INDArray dhn = tmp.array("dh", dt, n, c);
    Native.write(dh, dhn);
    Gemm.mm(cache.array(CONTEXT, dt, n, c), true, dhn, false, gradients.get(OUT_W));
    INDArray dCtx = tmp.array("rows", dt, n, c);
    Gemm.mm(dhn, false, params.get(OUT_W), true, dCtx);
    INDArray qkv = cache.array(QKV, dt, n, 3L * c);
    INDArray dQkv = tmp.array("qkv", dt, n, 3L * c);                                      // [N, 3C]: dq | dk | dv
    HeadAttention.backward(cache, dt, heads(qkv, m, Q), heads(qkv, m, K), heads(qkv, m, V), heads(dCtx, m, 0),
        heads(dQkv, m, Q), heads(dQkv, m, K), heads(dQkv, m, V));
    ColumnSums.sum(dQkv, gradients.get(IN_B));
    Gemm.mm(cache.array("ln1", dt, n, c), true, dQkv, false, gradients.get(IN_W));
    INDArray dLn1 = tmp.array("rows", dt, n, c);
    Gemm.mm(dQkv, false, params.get(IN_W), true, dLn1);
    // dx = dh + LN1'(dln1)
    LayerNorm.backward(tmp.read("rows", dLn1), cache.buf("xhat1", dt, (long) n * c), cache.buf("rstd1", dt, n),
        HandRows.param(params.get(LN1_GAIN), LN1_GAIN), dh, dGain, grad, n, c, true);
    HandRows.setGradient(gradients.get(LN1_GAIN), dGain);
    HandRows.setGradient(gradients.get(LN1_BIAS), grad);
    INDArray dx = inputGradient(mgr, m.b(), m.t(), c);
    Native.write(dh, dx);
    return dx;
  }
}
