package io.sparkvlm.core.model.layers;

import static io.sparkvlm.core.model.layers.ConnectorLayer.*;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.AttentionSoftmax;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.ColumnSums;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.Native;
import io.sparkvlm.core.model.layers.kernels.Rows;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The connectors' forward and backward (linear, mlp2x_gelu, resampler). */
final class ConnectorRuntime extends HandRuntime<ConnectorLayer> {

  ConnectorRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  protected INDArray forward(INDArray vit, LayerWorkspaceMgr mgr) {
    ConnectorLayer l = layerConf();
    int b = (int) vit.size(0);
    int all = l.getPatches() + 1;
    int wv = l.getVisionWidth();
    int wl = l.getLmWidth();
    if (vit.rank() != 3 || vit.size(1) != all || vit.size(2) != wv) {
      throw new IllegalArgumentException("Connector '" + l.getLayerName() + "' expects [batch, " + all + ", " + wv
          + "], got " + java.util.Arrays.toString(vit.shape()));
    }
    int read = l.read();
    int skip = all - read;                                         // 1 with patch features: the class token
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    Buf v = tmp.read("vit", vit);
    Buf x = tmp.buf("read", dt, (long) b * read * wv);
    for (int i = 0; i < b; i++) {
      Buf.copy(v, (i * all + skip) * wv, x, i * read * wv, read * wv);
    }
    if (l.getFeatures().centred()) {
      Rows.centreGroups(x, b, read, wv);                                     // each image's tokens less their mean
    }
    INDArray xn = cache.array("x", dt, (long) b * read, wv);                               // [B*R, Wv]
    Native.write(x, xn);
    INDArray out = output(mgr, b, l.getTokens(), wl);
    INDArray out2d = out.reshape('c', (long) b * l.getTokens(), wl);
    switch (l.getKind()) {
      case LINEAR -> {
        Gemm.mm(xn, false, params.get(W1), false, out2d);
        Buf o = tmp.read("out", out2d);
        Rows.addBias(o, HandRows.param(params.get(B1), B1), o, b * read, wl);
        Native.write(o, out2d);
      }
      case MLP2X_GELU -> {
        INDArray hidden = tmp.array("hidden", dt, (long) b * read, wl);
        Gemm.mm(xn, false, params.get(W1), false, hidden);
        Buf act = tmp.buf("act", dt, (long) b * read * wl);
        l.getGelu().forward(tmp.read("hidden", hidden), HandRows.param(params.get(B1), B1),
            cache.buf("pre", dt, (long) b * read * wl), act, cache.buf("gate", dt, (long) b * read * wl), b * read, wl);
        INDArray actn = cache.array("act", dt, (long) b * read, wl);
        Native.write(act, actn);
        Gemm.mm(actn, false, params.get(W2), false, out2d);
        Buf o = tmp.read("out", out2d);
        Rows.addBias(o, HandRows.param(params.get(B2), B2), o, b * read, wl);
        Native.write(o, out2d);
      }
      case RESAMPLER -> {
        int n = l.getTokens();
        INDArray keys = cache.array("keys", dt, b, read, wl);
        INDArray values = cache.array("values", dt, b, read, wl);
        Gemm.mm(xn, false, params.get(KEY_W), false, keys.reshape('c', (long) b * read, wl));
        Gemm.mm(xn, false, params.get(VALUE_W), false, values.reshape('c', (long) b * read, wl));
        Buf q = HandRows.param(params.get(QUERIES), QUERIES);
        Buf qb = tmp.buf("queries", dt, (long) b * n * wl);
        for (int i = 0; i < b; i++) {
          Buf.copy(q, 0, qb, i * n * wl, n * wl);
        }
        INDArray qn = cache.array("q", dt, b, n, wl);                                    // the queries, per image
        Native.write(qb, qn);
        INDArray scores = tmp.array("scores", dt, b, n, read);
        Gemm.batched(qn, false, keys, true, scores);
        Buf p = cache.buf("p", dt, (long) b * n * read);
        AttentionSoftmax.forward(tmp.read("scores", scores), p, null, b, 1, n, read, 1 / Math.sqrt(wl), false);
        INDArray pn = cache.array("p", dt, b, n, read);
        Native.write(p, pn);
        INDArray pooled = cache.array("pooled", dt, b, n, wl);
        Gemm.batched(pn, false, values, false, pooled);
        Gemm.mm(pooled.reshape('c', (long) b * n, wl), false, params.get(OUT_W), false, out2d);
      }
    }
    return out;
  }

  @Override
  protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
    ConnectorLayer l = layerConf();
    int b = (int) epsilon.size(0);
    int all = l.getPatches() + 1;
    int wv = l.getVisionWidth();
    int wl = l.getLmWidth();
    int read = l.read();
    int skip = all - read;
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    INDArray dOut = HandRows.matrix(epsilon, (long) b * l.getTokens(), wl);
    INDArray xn = cache.array("x", dt, (long) b * read, wv);
    INDArray dx = tmp.array("dx", dt, (long) b * read, wv);
    Buf grad = HandRows.gradientBuffer(dt, wl);
    switch (l.getKind()) {
      case LINEAR -> {
        ColumnSums.sum(tmp.read("dout", dOut), grad, b * read, wl);
        HandRows.setGradient(gradients.get(B1), grad);
        Gemm.mm(xn, true, dOut, false, gradients.get(W1));
        Gemm.mm(dOut, false, params.get(W1), true, dx);
      }
      case MLP2X_GELU -> {
        ColumnSums.sum(tmp.read("dout", dOut), grad, b * read, wl);
        HandRows.setGradient(gradients.get(B2), grad);
        Gemm.mm(cache.array("act", dt, (long) b * read, wl), true, dOut, false, gradients.get(W2));
        INDArray dAct = tmp.array("hidden", dt, (long) b * read, wl);
        Gemm.mm(dOut, false, params.get(W2), true, dAct);
        Buf dPre = tmp.read("hidden", dAct);
        l.getGelu().backward(dPre, cache.buf("pre", dt, (long) b * read * wl), cache.buf("gate", dt,
            (long) b * read * wl), dPre, b * read, wl);
        ColumnSums.sum(dPre, grad, b * read, wl);
        HandRows.setGradient(gradients.get(B1), grad);
        Native.write(dPre, dAct);
        Gemm.mm(xn, true, dAct, false, gradients.get(W1));
        Gemm.mm(dAct, false, params.get(W1), true, dx);
      }
      case RESAMPLER -> {
        int n = l.getTokens();
        INDArray pooled = cache.array("pooled", dt, b, n, wl);
        Gemm.mm(pooled.reshape('c', (long) b * n, wl), true, dOut, false, gradients.get(OUT_W));
        INDArray dPooled = tmp.array("dpooled", dt, b, n, wl);
        Gemm.mm(dOut, false, params.get(OUT_W), true, dPooled.reshape('c', (long) b * n, wl));
        INDArray keys = cache.array("keys", dt, b, read, wl);
        INDArray values = cache.array("values", dt, b, read, wl);
        INDArray pn = cache.array("p", dt, b, n, read);
        INDArray dScores = tmp.array("scores", dt, b, n, read);
        Gemm.batched(dPooled, false, values, true, dScores);
        INDArray dValues = tmp.array("dvalues", dt, b, read, wl);
        Gemm.batched(pn, true, dPooled, false, dValues);
        Buf dS = tmp.read("scores", dScores);
        AttentionSoftmax.backward(cache.buf("p", dt, (long) b * n * read), dS, dS, b, n, read, 1 / Math.sqrt(wl));
        Native.write(dS, dScores);
        INDArray dQ = tmp.array("dq", dt, b, n, wl);
        Gemm.batched(dScores, false, keys, false, dQ);
        Buf dQueries = HandRows.gradientBuffer(dt, (long) n * wl);
        ColumnSums.sum(tmp.read("dq", dQ), dQueries, b, n * wl);
        HandRows.setGradient(gradients.get(QUERIES), dQueries);
        INDArray dKeys = tmp.array("dkeys", dt, b, read, wl);
        Gemm.batched(dScores, true, cache.array("q", dt, b, n, wl), false, dKeys);
        INDArray dKeys2d = dKeys.reshape('c', (long) b * read, wl);
        INDArray dValues2d = dValues.reshape('c', (long) b * read, wl);
        Gemm.mm(xn, true, dKeys2d, false, gradients.get(KEY_W));
        Gemm.mm(xn, true, dValues2d, false, gradients.get(VALUE_W));
        Gemm.mm(dKeys2d, false, params.get(KEY_W), true, dx);
        Gemm.mmAdd(dValues2d, false, params.get(VALUE_W), true, dx);
      }
    }
    Buf dRead = tmp.read("dx", dx);
    if (l.getFeatures().centred()) {
      Rows.centreGroups(dRead, b, read, wv);
    }
    Buf dVit = tmp.buf("dvit", dt, (long) b * all * wv);
    dVit.clear(b * all * wv);
    for (int i = 0; i < b; i++) {
      Buf.copy(dRead, i * read * wv, dVit, (i * all + skip) * wv, read * wv);
    }
    INDArray out = inputGradient(mgr, b, all, wv);
    Native.write(dVit, out);
    return out;
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
      int minibatchSize) {
    this.maskArray = null;
    return new Pair<>(null, null); // every visual token is real
  }
}
