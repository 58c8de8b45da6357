package io.sparkvlm.core.model.layers;

import static io.sparkvlm.core.model.layers.TransformerBlock.*;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.AttentionSoftmax;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.ColumnSums;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.Heads;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import io.sparkvlm.core.model.layers.kernels.Native;
import io.sparkvlm.core.model.layers.kernels.Rows;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The transformer block's forward and backward. Products are BLAS gemms over [batch * time, ...] matrices and ND4J's
 * batched matmul per (batch, head); norms, GELU, the masked softmax, head reshuffles, bias and residual sums and
 * bias gradients are Java kernels. Forward keeps ln1, q, k, v, p, ctx, ln2 and the GELU output (native, for the
 * backward products) and the norms' xhat and rstd, h, the GELU pre-activation and gate (heap).
 */
final class TransformerBlockRuntime extends HandRuntime<TransformerBlock> {

  TransformerBlockRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private record Dims(int b, int t, int c, int h, int d, int f) {
    int n() {
      return b * t;
    }

    int groups() {
      return b * h;
    }
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
    INDArray qkv = tmp.array("qkv", dt, n, 3L * c);                                      // [N, 3C]
    Gemm.mm(ln1n, false, params.get(IN_W), false, qkv);
    Buf qkvb = tmp.read("qkv", qkv);
    Buf inBias = HandRows.param(params.get(IN_B), IN_B);
    Buf head = tmp.buf("head", dt, (long) n * c);
    INDArray[] qkvHeads = {cache.array("q", dt, m.groups(), m.t(), m.d()), cache.array("k", dt, m.groups(), m.t(),
        m.d()), cache.array("v", dt, m.groups(), m.t(), m.d())};                          // [B*H, T, D] each
    for (int part = 0; part < 3; part++) {
      Heads.split(qkvb, inBias, 3, part, head, m.b(), m.t(), m.h(), m.d());
      Native.write(head, qkvHeads[part]);
    }
    INDArray scores = tmp.array("scores", dt, m.groups(), m.t(), m.t());                  // [B*H, T, T]
    Gemm.batched(qkvHeads[0], false, qkvHeads[1], true, scores);
    Buf p = cache.buf("p", dt, (long) m.groups() * m.t() * m.t());
    AttentionSoftmax.forward(tmp.read("scores", scores), p, HandRows.mask(maskArray, dt, "mask"), m.groups(), m.h(),
        m.t(), m.t(), 1 / Math.sqrt(m.d()), l.isCausal());
    INDArray pn = cache.array("p", dt, m.groups(), m.t(), m.t());
    Native.write(p, pn);
    INDArray o = tmp.array("o", dt, m.groups(), m.t(), m.d());                            // [B*H, T, D]
    Gemm.batched(pn, false, qkvHeads[2], false, o);
    Buf ctx = tmp.buf("ctx", dt, (long) n * c);
    Heads.merge(tmp.read("o", o), ctx, 1, 0, m.b(), m.t(), m.h(), m.d());                  // [N, C]
    INDArray ctxn = cache.array("ctx", dt, n, c);
    Native.write(ctx, ctxn);
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
    Gemm.mm(cache.array("ctx", dt, n, c), true, dhn, false, gradients.get(OUT_W));
    INDArray dCtx = tmp.array("rows", dt, n, c);
    Gemm.mm(dhn, false, params.get(OUT_W), true, dCtx);
    Buf head = tmp.buf("head", dt, (long) n * c);
    Heads.split(tmp.read("rows", dCtx), null, 1, 0, head, m.b(), m.t(), m.h(), m.d());
    INDArray dO = tmp.array("o", dt, m.groups(), m.t(), m.d());
    Native.write(head, dO);
    INDArray[] parts = HeadAttention.backward(cache, tmp, dt, dO, m.groups(), m.t(), m.t(), m.d());
    Buf dQkv = tmp.buf("dqkv", dt, (long) n * 3 * c);
    for (int part = 0; part < 3; part++) {
      Native.read(parts[part], head);
      Heads.merge(head, dQkv, 3, part, m.b(), m.t(), m.h(), m.d());
    }
    ColumnSums.sum(dQkv, grad, n, 3 * c);
    HandRows.setGradient(gradients.get(IN_B), grad);
    INDArray dQkvn = tmp.array("qkv", dt, n, 3L * c);
    Native.write(dQkv, dQkvn);
    Gemm.mm(cache.array("ln1", dt, n, c), true, dQkvn, false, gradients.get(IN_W));
    INDArray dLn1 = tmp.array("rows", dt, n, c);
    Gemm.mm(dQkvn, false, params.get(IN_W), true, dLn1);
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
