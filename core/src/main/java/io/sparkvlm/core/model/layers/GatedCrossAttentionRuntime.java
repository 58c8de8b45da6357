package io.sparkvlm.core.model.layers;

import static io.sparkvlm.core.model.layers.GatedCrossAttention.*;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.HeadMatrices;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import io.sparkvlm.core.model.layers.kernels.Native;
import io.sparkvlm.core.model.layers.kernels.Rows;
import java.util.Arrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The gated cross-attention block's forward and backward, on the products and kernels the transformer block uses.
 * Forward keeps ln1, the visual rows, the queries, keys and values (the projections' rows, read in place per head),
 * the attention probabilities, ctx, the attention output before its gate, ln2, the GELU output and the feed-forward
 * output before its gate (native), and the norms' xhat and rstd and the GELU's pre-activation and gate (heap).
 */
final class GatedCrossAttentionRuntime extends HandRuntime<GatedCrossAttention> {
  /** The text's queries [B*T, C]. */
  private static final String QUERIES = "q";
  /** The visual tokens' keys and values [B*N, 2C], side by side in this order. */
  private static final String KEYS_VALUES = "kv";
  private static final int KEYS = 0;
  private static final int VALUES = 1;
  /** The attention's output [B*T, C] before the out-projection, heads side by side. */
  private static final String CONTEXT = "ctx";

  GatedCrossAttentionRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Batch, visual tokens, text tokens, width, heads, head width, MLP width. */
  private record Dims(int b, int n, int t, int c, int h, int d, int f) {
    int textRows() {
      return b * t;
    }

    int visualRows() {
      return b * n;
    }

  }

  /** Text rows [B*T, C] as one [T, D] matrix per (batch row, head). */
  private static HeadMatrices text(INDArray rows, Dims m) {
    return HeadMatrices.tokenMajor(rows, m.b(), m.h(), m.t(), m.d(), 0);
  }

  /** Part {@code part} of visual rows [B*N, parts * C] as one [N, D] matrix per (batch row, head). */
  private static HeadMatrices visual(INDArray rows, Dims m, int part) {
    return HeadMatrices.tokenMajor(rows, m.b(), m.h(), m.n(), m.d(), part);
  }

  private Dims dims(long batch) {
    GatedCrossAttention l = layerConf();
    int c = l.getWidth();
    return new Dims((int) batch, l.getVisualTokens(), l.getTextTokens(), c, l.getHeads(), c / l.getHeads(),
        c * l.getMlpRatio());
  }

  private double gate(String name) {
    return Math.tanh(params.get(name).getDouble(0));
  }

  @Override
  protected INDArray forward(INDArray in, LayerWorkspaceMgr mgr) {
    GatedCrossAttention l = layerConf();
    if (in.rank() != 3 || in.size(1) != (long) l.getVisualTokens() + l.getTextTokens() || in.size(2) != l.getWidth()) {
      throw new IllegalArgumentException("GatedCrossAttention '" + l.getLayerName() + "' expects [batch, "
          + l.getVisualTokens() + " visual + " + l.getTextTokens() + " text tokens, " + l.getWidth() + "], got "
          + Arrays.toString(in.shape()));
    }
    Dims m = dims(in.size(0));
    int nt = m.textRows();
    int nv = m.visualRows();
    int c = m.c();
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    // split [B, N + T, C] into the visual rows [B*N, C] and the text rows [B*T, C]
    Buf all = tmp.read("in", in);
    Buf vis = tmp.buf("vis", dt, (long) nv * c);
    Buf x = tmp.buf("x", dt, (long) nt * c);
    for (int i = 0; i < m.b(); i++) {
      Buf.copy(all, i * (m.n() + m.t()) * c, vis, i * m.n() * c, m.n() * c);
      Buf.copy(all, (i * (m.n() + m.t()) + m.n()) * c, x, i * m.t() * c, m.t() * c);
    }
    INDArray visn = cache.array("vis", dt, nv, c);
    Native.write(vis, visn);
    // cross-attention: queries from the text, keys and values from the visual tokens
    Buf ln1 = tmp.buf("ln", dt, (long) nt * c);
    LayerNorm.forward(x, HandRows.param(params.get(LN1_GAIN), LN1_GAIN), HandRows.param(params.get(LN1_BIAS),
        LN1_BIAS), ln1, cache.buf("xhat1", dt, (long) nt * c), cache.buf("rstd1", dt, nt), nt, c, l.normEps());
    INDArray ln1n = cache.array("ln1", dt, nt, c);
    Native.write(ln1, ln1n);
    INDArray qRows = cache.array(QUERIES, dt, nt, c);                                     // [B*T, C]
    Gemm.mm(ln1n, false, params.get(Q_W), false, qRows);
    INDArray kv = cache.array(KEYS_VALUES, dt, nv, 2L * c);                                // [B*N, 2C]: k | v
    Gemm.mm(visn, false, params.get(KV_W), false, kv);
    INDArray ctxn = cache.array(CONTEXT, dt, nt, c);                                      // [B*T, C]
    HeadAttention.forward(cache, dt, text(qRows, m), visual(kv, m, KEYS), visual(kv, m, VALUES), null, false,
        text(ctxn, m));
    INDArray attn = cache.array("attn", dt, nt, c);
    Gemm.mm(ctxn, false, params.get(OUT_W), false, attn);
    INDArray gated = tmp.array("gated", dt, nt, c);
    gated.assign(attn).muli(gate(ATTN_GATE));
    Buf h = tmp.buf("h", dt, (long) nt * c);
    Rows.addWithBias(x, tmp.read("gated", gated), null, h, nt, c);
    // feed-forward
    Buf ln2 = tmp.buf("ln", dt, (long) nt * c);
    LayerNorm.forward(h, HandRows.param(params.get(LN2_GAIN), LN2_GAIN), HandRows.param(params.get(LN2_BIAS),
        LN2_BIAS), ln2, cache.buf("xhat2", dt, (long) nt * c), cache.buf("rstd2", dt, nt), nt, c, l.normEps());
    INDArray ln2n = cache.array("ln2", dt, nt, c);
    Native.write(ln2, ln2n);
    INDArray fc = tmp.array("fc", dt, nt, m.f());                                        // [B*T, F]
    Gemm.mm(ln2n, false, params.get(FC_W), false, fc);
    Buf act = tmp.buf("act", dt, (long) nt * m.f());
    l.getGelu().forward(tmp.read("fc", fc), null, cache.buf("pre", dt, (long) nt * m.f()), act,
        cache.buf("gate", dt, (long) nt * m.f()), nt, m.f());
    INDArray actn = cache.array("act", dt, nt, m.f());
    Native.write(act, actn);
    INDArray ff = cache.array("ff", dt, nt, c);
    Gemm.mm(actn, false, params.get(PROJ_W), false, ff);
    gated.assign(ff).muli(gate(FF_GATE));
    Buf y = tmp.buf("y", dt, (long) nt * c);
    Rows.addWithBias(h, tmp.read("gated", gated), null, y, nt, c);
    INDArray out = output(mgr, m.b(), m.t(), c);                                        // [B, T, C]
    Native.write(y, out);
    return out;
  }

  @Override
  protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
    GatedCrossAttention l = layerConf();
    Dims m = dims(epsilon.size(0));
    int nt = m.textRows();
    int nv = m.visualRows();
    int c = m.c();
    int f = m.f();
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    INDArray dy = HandRows.matrix(epsilon, nt, c);                                      // [B*T, C]
    // feed-forward: y = h + tanh(ffGate) * act W_proj
    double ffGate = gate(FF_GATE);
    INDArray ff = cache.array("ff", dt, nt, c);
    gradients.get(FF_GATE).assign((1 - ffGate * ffGate) * dy.mul(ff).sumNumber().doubleValue());
    INDArray dFf = tmp.array("gated", dt, nt, c);
    dFf.assign(dy).muli(ffGate);
    Gemm.mm(cache.array("act", dt, nt, f), true, dFf, false, gradients.get(PROJ_W));
    INDArray dAct = tmp.array("fc", dt, nt, f);
    Gemm.mm(dFf, false, params.get(PROJ_W), true, dAct);
    Buf dPre = tmp.read("fc", dAct);
    l.getGelu().backward(dPre, cache.buf("pre", dt, (long) nt * f), cache.buf("gate", dt, (long) nt * f), dPre, nt,
        f);
    Native.write(dPre, dAct);
    Gemm.mm(cache.array("ln2", dt, nt, c), true, dAct, false, gradients.get(FC_W));
    INDArray dLn2 = tmp.array("rows", dt, nt, c);
    Gemm.mm(dAct, false, params.get(FC_W), true, dLn2);
    // dh = dy + LN2'(dln2)
    Buf dh = tmp.buf("dh", dt, (long) nt * c);
    tmp.read("dy", dy).copyTo(dh, nt * c);
    Buf dGain = tmp.buf("dGain", dt, c);
    Buf dBias = HandRows.gradientBuffer(dt, c);
    LayerNorm.backward(tmp.read("rows", dLn2), cache.buf("xhat2", dt, (long) nt * c), cache.buf("rstd2", dt, nt),
        HandRows.param(params.get(LN2_GAIN), LN2_GAIN), dh, dGain, dBias, nt, c, true);
    HandRows.setGradient(gradients.get(LN2_GAIN), dGain);
    HandRows.setGradient(gradients.get(LN2_BIAS), dBias);
    // cross-attention: h = x + tanh(attnGate) * ctx W_out
    double attnGate = gate(ATTN_GATE);
    INDArray dhn = tmp.array("dh", dt, nt, c);
    Native.write(dh, dhn);
    gradients.get(ATTN_GATE).assign((1 - attnGate * attnGate)
        * dhn.mul(cache.array("attn", dt, nt, c)).sumNumber().doubleValue());
    INDArray dAttn = tmp.array("gated", dt, nt, c);
    dAttn.assign(dhn).muli(attnGate);
    Gemm.mm(cache.array(CONTEXT, dt, nt, c), true, dAttn, false, gradients.get(OUT_W));
    INDArray dCtx = tmp.array("rows", dt, nt, c);
    Gemm.mm(dAttn, false, params.get(OUT_W), true, dCtx);
    INDArray dQn = tmp.array("dq", dt, nt, c);                                            // [B*T, C]
    INDArray dKvn = tmp.array("kv", dt, nv, 2L * c);                                      // [B*N, 2C]: dk | dv
    INDArray kv = cache.array(KEYS_VALUES, dt, nv, 2L * c);
    HeadAttention.backward(cache, dt, text(cache.array(QUERIES, dt, nt, c), m), visual(kv, m, KEYS),
        visual(kv, m, VALUES), text(dCtx, m), text(dQn, m), visual(dKvn, m, KEYS), visual(dKvn, m, VALUES));
    // queries: Q_W and the text's gradient through LN1
    Gemm.mm(cache.array("ln1", dt, nt, c), true, dQn, false, gradients.get(Q_W));
    INDArray dLn1 = tmp.array("dln1", dt, nt, c);
    Gemm.mm(dQn, false, params.get(Q_W), true, dLn1);
    LayerNorm.backward(tmp.read("dln1", dLn1), cache.buf("xhat1", dt, (long) nt * c), cache.buf("rstd1", dt, nt),
        HandRows.param(params.get(LN1_GAIN), LN1_GAIN), dh, dGain, dBias, nt, c, true);
    HandRows.setGradient(gradients.get(LN1_GAIN), dGain);
    HandRows.setGradient(gradients.get(LN1_BIAS), dBias);
    // keys and values: KV_W and the visual tokens' gradient
    Gemm.mm(cache.array("vis", dt, nv, c), true, dKvn, false, gradients.get(KV_W));
    INDArray dVis = tmp.array("dvis", dt, nv, c);
    Gemm.mm(dKvn, false, params.get(KV_W), true, dVis);
    // the input's gradient [B, N + T, C]: visual rows, then text rows
    Buf dVisb = tmp.read("dvis", dVis);
    Buf dIn = tmp.buf("din", dt, (long) (nv + nt) * c);
    for (int i = 0; i < m.b(); i++) {
      Buf.copy(dVisb, i * m.n() * c, dIn, i * (m.n() + m.t()) * c, m.n() * c);
      Buf.copy(dh, i * m.t() * c, dIn, (i * (m.n() + m.t()) + m.n()) * c, m.t() * c);
    }
    INDArray dx = inputGradient(mgr, m.b(), m.n() + m.t(), c);
    Native.write(dIn, dx);
    return dx;
  }

  /** The output is the text alone: its mask is the input mask's text part (the visual tokens are all real). */
  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
      int minibatchSize) {
    this.maskArray = maskArray;
    this.maskState = currentMaskState;
    if (maskArray == null) {
      return new Pair<>(null, currentMaskState);
    }
    GatedCrossAttention l = layerConf();
    INDArray text = maskArray.get(NDArrayIndex.all(), NDArrayIndex.interval(l.getVisualTokens(),
        l.getVisualTokens() + l.getTextTokens())).dup();                                  // [B, T]
    return new Pair<>(text, currentMaskState);
  }
}
