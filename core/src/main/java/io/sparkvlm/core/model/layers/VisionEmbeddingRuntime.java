package io.sparkvlm.core.model.layers;

import static io.sparkvlm.core.model.layers.VisionEmbedding.*;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.ColumnSums;
import io.sparkvlm.core.model.layers.kernels.Gemm;
import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import io.sparkvlm.core.model.layers.kernels.Native;
import io.sparkvlm.core.model.layers.kernels.Patches;
import io.sparkvlm.core.model.layers.kernels.Rows;
import java.util.Arrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The ViT stem's forward and backward: patches, one gemm, class token, positions, layer norm. */
final class VisionEmbeddingRuntime extends HandRuntime<VisionEmbedding> {

  VisionEmbeddingRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  protected INDArray forward(INDArray image, LayerWorkspaceMgr mgr) {
    VisionEmbedding l = layerConf();
    int s = l.getImageSize();
    if (image.rank() != 4 || image.size(1) != 3 || image.size(2) != s || image.size(3) != s) {
      throw new IllegalArgumentException("VisionEmbedding '" + l.getLayerName() + "' expects [batch, 3, " + s + ", "
          + s + "], got " + Arrays.toString(image.shape()));
    }
    int b = (int) image.size(0);
    int g = l.grid();
    int patches = g * g;
    int pv = l.patchValues();
    int w = l.getWidth();
    int tokens = patches + 1;
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    Buf cut = tmp.buf("patches", dt, (long) b * patches * pv);
    Patches.extract(tmp.read("image", image), cut, b, s, l.getPatchSize());                // [B*P, 3pp]
    INDArray cutn = cache.array("patches", dt, (long) b * patches, pv);
    Native.write(cut, cutn);
    INDArray emb = tmp.array("emb", dt, (long) b * patches, w);
    Gemm.mm(cutn, false, params.get(PATCH_W), false, emb);                              // [B*P, W]
    Buf e = tmp.read("emb", emb);
    Buf cls = HandRows.param(params.get(CLASS_TOKEN), CLASS_TOKEN);
    Buf pos = HandRows.param(params.get(POSITIONS), POSITIONS);
    Buf seq = tmp.buf("seq", dt, (long) b * tokens * w);                                  // [B, P+1, W]
    for (int i = 0; i < b; i++) {
      Buf.copy(cls, 0, seq, i * tokens * w, w);                                         // class token first
      Buf.copy(e, i * patches * w, seq, (i * tokens + 1) * w, patches * w);             // then the patches
    }
    Rows.addBias(seq, pos, seq, b, tokens * w);                                          // + positions
    int rows = b * tokens;
    Buf y = tmp.buf("y", dt, (long) rows * w);
    LayerNorm.forward(seq, HandRows.param(params.get(LN_GAIN), LN_GAIN), HandRows.param(params.get(LN_BIAS), LN_BIAS),
        y, cache.buf("xhat", dt, (long) rows * w), cache.buf("rstd", dt, rows), rows, w, l.getNormEps());
    INDArray out = output(mgr, b, tokens, w);
    Native.write(y, out);
    return out;
  }

  @Override
  protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
    VisionEmbedding l = layerConf();
    int b = (int) epsilon.size(0);
    int g = l.grid();
    int patches = g * g;
    int tokens = patches + 1;
    int w = l.getWidth();
    int pv = l.patchValues();
    int rows = b * tokens;
    DataType dt = dataType;
    Arena tmp = Arena.temporaries();
    Buf dSeq = tmp.buf("dseq", dt, (long) rows * w);
    Buf dGain = tmp.buf("dGain", dt, w);
    Buf dBias = tmp.buf("dBias", dt, w);
    LayerNorm.backward(tmp.read("dy", epsilon), cache.buf("xhat", dt, (long) rows * w), cache.buf("rstd", dt, rows),
        HandRows.param(params.get(LN_GAIN), LN_GAIN), dSeq, dGain, dBias, rows, w, false);
    HandRows.setGradient(gradients.get(LN_GAIN), dGain);
    HandRows.setGradient(gradients.get(LN_BIAS), dBias);
    // positions: summed over the batch; class token: position 0 summed over the batch
    Buf dPos = HandRows.gradientBuffer(dt, (long) tokens * w);
    ColumnSums.sum(dSeq, dPos, b, tokens * w);
    HandRows.setGradient(gradients.get(POSITIONS), dPos);
    HandRows.setGradient(gradients.get(CLASS_TOKEN), dPos);                              // its first w values
    Buf dEmb = tmp.buf("demb", dt, (long) b * patches * w);
    for (int i = 0; i < b; i++) {
      Buf.copy(dSeq, (i * tokens + 1) * w, dEmb, i * patches * w, patches * w);
    }
    INDArray dEmbn = tmp.array("emb", dt, (long) b * patches, w);
    Native.write(dEmb, dEmbn);
    Gemm.mm(cache.array("patches", dt, (long) b * patches, pv), true, dEmbn, false, gradients.get(PATCH_W));
    INDArray dCut = tmp.array("dpatches", dt, (long) b * patches, pv);
    Gemm.mm(dEmbn, false, params.get(PATCH_W), true, dCut);
    Buf dImage = tmp.buf("dimage", dt, (long) b * 3 * l.getImageSize() * l.getImageSize());
    Patches.scatter(tmp.read("dpatches", dCut), dImage, b, l.getImageSize(), l.getPatchSize());
    INDArray dx = inputGradient(mgr, b, 3, l.getImageSize(), l.getImageSize());
    Native.write(dImage, dx);
    return dx;
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
      int minibatchSize) {
    this.maskArray = null;
    return new Pair<>(null, null); // every token of an image is real
  }
}
