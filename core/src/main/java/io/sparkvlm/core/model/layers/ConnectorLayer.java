package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Gelu;
import java.util.List;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The layer behind each {@link Connector} kind: a ViT's output [B, patches + 1, visionWidth] in (class token first),
 * [B, tokens, lmWidth] out.
 */
public class ConnectorLayer extends HandLayer {
  public static final String W1 = "w1";
  public static final String B1 = "b1";
  public static final String W2 = "w2";
  public static final String B2 = "b2";
  public static final String QUERIES = "queries";
  public static final String KEY_W = "keyW";
  public static final String VALUE_W = "valueW";
  public static final String OUT_W = "outW";

  /** The closed set of computations (JSON-serialisable); build through {@link Connector}. */
  public enum Kind { LINEAR, MLP2X_GELU, RESAMPLER }

  private Kind kind;
  private int visionWidth;
  private int lmWidth;
  private int patches;
  private VisionFeatures features;
  private int tokens;
  /** The MLP's activation; QuickGELU for configurations written before the field existed. */
  private Gelu gelu = Gelu.QUICK;

  public ConnectorLayer() {
  }

  ConnectorLayer(Kind kind, int visionWidth, int lmWidth, int patches, VisionFeatures features, int tokens) {
    this.kind = kind;
    this.visionWidth = visionWidth;
    this.lmWidth = lmWidth;
    this.patches = patches;
    this.features = features;
    this.tokens = tokens;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    return switch (kind) {
      case LINEAR -> List.of(
          ParamSpec.matrix(W1, 1 / Math.sqrt(visionWidth), visionWidth, lmWidth),
          ParamSpec.bias(B1, 1, lmWidth));
      case MLP2X_GELU -> List.of(
          ParamSpec.matrix(W1, 1 / Math.sqrt(visionWidth), visionWidth, lmWidth),
          ParamSpec.matrix(W2, 1 / Math.sqrt(lmWidth), lmWidth, lmWidth),
          ParamSpec.bias(B1, 1, lmWidth),
          ParamSpec.bias(B2, 1, lmWidth));
      case RESAMPLER -> List.of(
          ParamSpec.embedding(QUERIES, 1 / Math.sqrt(lmWidth), tokens, lmWidth),
          ParamSpec.matrix(KEY_W, 1 / Math.sqrt(visionWidth), visionWidth, lmWidth),
          ParamSpec.matrix(VALUE_W, 1 / Math.sqrt(visionWidth), visionWidth, lmWidth),
          ParamSpec.matrix(OUT_W, 1 / Math.sqrt(lmWidth), lmWidth, lmWidth));
    };
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new ConnectorRuntime(conf, dataType);
  }

  /** Vision tokens read per image. */
  int read() {
    return features.tokens(patches);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(lmWidth, tokens, RNNFormat.NWC);
  }

  public Gelu getGelu() {
    return gelu;
  }

  public void setGelu(Gelu gelu) {
    this.gelu = gelu;
  }

  public Kind getKind() {
    return kind;
  }

  public void setKind(Kind kind) {
    this.kind = kind;
  }

  public int getVisionWidth() {
    return visionWidth;
  }

  public void setVisionWidth(int visionWidth) {
    this.visionWidth = visionWidth;
  }

  public int getLmWidth() {
    return lmWidth;
  }

  public void setLmWidth(int lmWidth) {
    this.lmWidth = lmWidth;
  }

  public int getPatches() {
    return patches;
  }

  public void setPatches(int patches) {
    this.patches = patches;
  }

  public VisionFeatures getFeatures() {
    return features;
  }

  public void setFeatures(VisionFeatures features) {
    this.features = features;
  }

  public int getTokens() {
    return tokens;
  }

  public void setTokens(int tokens) {
    this.tokens = tokens;
  }
}
