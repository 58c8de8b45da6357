/* The SameDiff implementation this layer had before the hand-written one (test reference for parity). */
package io.sparkvlm.core.model.layers.reference;

import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.VisionFeatures;

import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The ViT stem in OpenCLIP's layout: non-overlapping patches linearly embedded (a convolution with stride = kernel
 * and no bias, written as reshape + matrix product; weights flattened in the convolution's (channel, row, column)
 * order), a class token in front, learned positions added, then ln_pre. [batch, 3, size, size] in,
 * [batch, width, patches + 1] out.
 */
public class SameDiffVisionEmbedding extends CorrectedSameDiffLayer {
  public static final String PATCH_W = "patchW";
  public static final String CLASS_TOKEN = "cls";
  public static final String POSITIONS = "pos";
  public static final String LN_GAIN = "lnG";
  public static final String LN_BIAS = "lnB";

  private int imageSize;
  private int patchSize;
  private int width;

  public SameDiffVisionEmbedding() {
  }

  public SameDiffVisionEmbedding(int imageSize, int patchSize, int width) {
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.width = width;
  }

  int grid() {
    return imageSize / patchSize;
  }

  @Override
  protected SDVariable defineBody(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    int g = grid();
    int patches = g * g;
    SDVariable cut = x.reshape(-1, 3, g, patchSize, g, patchSize)   // [B, 3, gy, py, gx, px]
        .permute(0, 2, 4, 1, 3, 5)                                   // [B, gy, gx, 3, py, px]
        .reshape(-1, 3 * patchSize * patchSize);                     // [B*P, 3*p*p]
    SDVariable tokens = cut.mmul(p.get(PATCH_W)).reshape(-1, patches, width);        // [B, P, W]
    SDVariable cls = tokens.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all())
        .mul(0.0).add(p.get(CLASS_TOKEN));                                             // [B, 1, W]
    SDVariable seq = sd.concat(1, cls, tokens).add(p.get(POSITIONS));                  // [B, P+1, W]
    SDVariable ncw = seq.permute(0, 2, 1);                                              // [B, W, P+1]
    return sd.nn().layerNorm(ncw, p.get(LN_GAIN), p.get(LN_BIAS), true, 1);
  }

  @Override
  protected Set<String> decayedParams() {
    return Set.of(PATCH_W);
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(PATCH_W, 3L * patchSize * patchSize, width);
    params.addWeightParam(CLASS_TOKEN, 1, width);
    params.addWeightParam(POSITIONS, (long) grid() * grid() + 1, width);
    params.addWeightParam(LN_GAIN, width);
    params.addBiasParam(LN_BIAS, width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get(PATCH_W).assign(0.0);
    params.get(CLASS_TOKEN).assign(0.0);
    params.get(POSITIONS).assign(0.0);
    params.get(LN_GAIN).assign(1.0);
    params.get(LN_BIAS).assign(0.0);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, (long) grid() * grid() + 1);
  }

  public int getImageSize() {
    return imageSize;
  }

  public void setImageSize(int imageSize) {
    this.imageSize = imageSize;
  }

  public int getPatchSize() {
    return patchSize;
  }

  public void setPatchSize(int patchSize) {
    this.patchSize = patchSize;
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }
}
