/* The SameDiff implementation this layer had before the hand-written one (test reference for parity). */
package io.sparkvlm.core.model.layers.reference;

import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.VisionFeatures;

import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The layer behind each {@link Connector} kind: a ViT's output [B, visionWidth, patches + 1] in (class token first),
 * [B, lmWidth, tokens] out.
 */
public class SameDiffConnectorLayer extends CorrectedSameDiffLayer {
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

  public SameDiffConnectorLayer() {
  }

  public SameDiffConnectorLayer(Kind kind, int visionWidth, int lmWidth, int patches, VisionFeatures features, int tokens) {
    this.kind = kind;
    this.visionWidth = visionWidth;
    this.lmWidth = lmWidth;
    this.patches = patches;
    this.features = features;
    this.tokens = tokens;
  }

  @Override
  protected SDVariable defineBody(SameDiff sd, SDVariable vit, Map<String, SDVariable> p, SDVariable mask) {
    // vit: [B, Wv, 1+P]; read P tokens (patch) or all 1+P (cls_patch), named P below
    int read = features.tokens(patches);
    SDVariable x = features == VisionFeatures.PATCH
        ? vit.get(org.nd4j.autodiff.samediff.SDIndex.all(), org.nd4j.autodiff.samediff.SDIndex.all(),
            org.nd4j.autodiff.samediff.SDIndex.interval(1, patches + 1))                  // [B, Wv, P]
        : vit;
    SDVariable flat = x.permute(0, 2, 1).reshape(-1, visionWidth);                        // [B*P, Wv]
    SDVariable out = switch (kind) {
      case LINEAR -> flat.mmul(p.get(W1)).add(p.get(B1))                                  // [B*P, Wl]
          .reshape(-1, read, lmWidth);                                                  // [B, P, Wl]
      case MLP2X_GELU -> sd.nn().gelu(flat.mmul(p.get(W1)).add(p.get(B1)))                 // [B*P, Wl]
          .mmul(p.get(W2)).add(p.get(B2))                                                  // [B*P, Wl]
          .reshape(-1, read, lmWidth);                                                  // [B, P, Wl]
      case RESAMPLER -> {
        SDVariable keys = flat.mmul(p.get(KEY_W)).reshape(-1, read, lmWidth);          // [B, P, Wl]
        SDVariable values = flat.mmul(p.get(VALUE_W)).reshape(-1, read, lmWidth);      // [B, P, Wl]
        // the learned queries, one set per image: broadcast by adding to zeros of the batch's shape
        SDVariable zeros = keys.get(org.nd4j.autodiff.samediff.SDIndex.all(),
            org.nd4j.autodiff.samediff.SDIndex.interval(0, 1),
            org.nd4j.autodiff.samediff.SDIndex.all()).mul(0.0);                             // [B, 1, Wl]
        SDVariable q = zeros.add(p.get(QUERIES).reshape(1, tokens, lmWidth));              // [B, N, Wl]
        SDVariable scores = sd.mmul(q, keys, false, true, false)
            .mul(1.0 / Math.sqrt(lmWidth));                                                // [B, N, P]
        SDVariable attention = sd.nn().softmax(scores, -1);                                // [B, N, P]
        SDVariable pooled = sd.mmul(attention, values).reshape(-1, lmWidth);                // [B*N, Wl]
        yield pooled.mmul(p.get(OUT_W)).reshape(-1, tokens, lmWidth);                      // [B, N, Wl]
      }
    };
    return out.permute(0, 2, 1);                                                           // [B, Wl, T]
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
      int minibatchSize) {
    return new Pair<>(null, null); // every visual token is real
  }

  @Override
  protected Set<String> decayedParams() {
    return switch (kind) {
      case LINEAR -> Set.of(W1);
      case MLP2X_GELU -> Set.of(W1, W2);
      case RESAMPLER -> Set.of(KEY_W, VALUE_W, OUT_W);
    };
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    switch (kind) {
      case LINEAR -> {
        params.addWeightParam(W1, visionWidth, lmWidth);
        params.addBiasParam(B1, 1, lmWidth);
      }
      case MLP2X_GELU -> {
        params.addWeightParam(W1, visionWidth, lmWidth);
        params.addBiasParam(B1, 1, lmWidth);
        params.addWeightParam(W2, lmWidth, lmWidth);
        params.addBiasParam(B2, 1, lmWidth);
      }
      case RESAMPLER -> {
        params.addWeightParam(QUERIES, tokens, lmWidth);
        params.addWeightParam(KEY_W, visionWidth, lmWidth);
        params.addWeightParam(VALUE_W, visionWidth, lmWidth);
        params.addWeightParam(OUT_W, lmWidth, lmWidth);
      }
    }
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      if (e.getKey().startsWith("b")) {
        e.getValue().assign(0.0);
      } else {
        long fanIn = e.getKey().equals(QUERIES) ? lmWidth : e.getValue().size(0);
        e.getValue().assign(0.0);
      }
    }
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(lmWidth, tokens);
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
