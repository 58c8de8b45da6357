package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.LayerNorm;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The ViT stem in OpenCLIP's layout: non-overlapping patches linearly embedded (a convolution with stride = kernel
 * and no bias, computed as patch extraction + one matrix product; weights flattened in the convolution's (channel,
 * row, column) order), a class token in front, learned positions added, then ln_pre. [batch, 3, size, size] in,
 * [batch, patches + 1, width] out (patches row by row).
 */
public class VisionEmbedding extends HandLayer {
  public static final String PATCH_W = "patchW";
  public static final String CLASS_TOKEN = "cls";
  public static final String POSITIONS = "pos";
  public static final String LN_GAIN = "lnG";
  public static final String LN_BIAS = "lnB";

  private int imageSize;
  private int patchSize;
  private int width;
  private double normEps = LayerNorm.ND4J_EPS;

  public VisionEmbedding() {
  }

  public VisionEmbedding(int imageSize, int patchSize, int width) {
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.width = width;
    this.normEps = LayerNorm.EPS;
  }

  int grid() {
    return imageSize / patchSize;
  }

  int patchValues() {
    return 3 * patchSize * patchSize;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    long tokens = (long) grid() * grid() + 1;
    return List.of(
        ParamSpec.matrix(PATCH_W, 1 / Math.sqrt(patchValues()), patchValues(), width),
        ParamSpec.embedding(CLASS_TOKEN, 1 / Math.sqrt(width), 1, width),
        ParamSpec.embedding(POSITIONS, 0.01, tokens, width),
        ParamSpec.gain(LN_GAIN, width),
        ParamSpec.bias(LN_BIAS, width));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new VisionEmbeddingRuntime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, (long) grid() * grid() + 1, RNNFormat.NWC);
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

  public double getNormEps() {
    return normEps;
  }

  public void setNormEps(double normEps) {
    this.normEps = normEps;
  }
}
