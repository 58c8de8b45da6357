/* The SameDiff implementation this layer had before the hand-written one (test reference for parity). */
package io.sparkvlm.core.model.layers.reference;

import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.VisionFeatures;

import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pre-LN transformer block in OpenCLIP's parameterisation (attention in-projection and out-projection with biases,
 * MLP with GELU), on DL4J's recurrent layout [batch, width, time]:
 *
 * <pre>
 *   h = x + Attention(LN1(x))      multi-head, scaled dot product; causal and/or padding masked
 *   y = h + MLP(LN2(h))            Linear(width, ratio*width) - GELU - Linear(ratio*width, width)
 * </pre>
 *
 * The padding mask is DL4J's recurrent mask [batch, time] (1 = real token): masked keys get no attention. With
 * {@code causal}, position t attends to positions <= t only.
 */
public class SameDiffTransformerBlock extends CorrectedSameDiffLayer {
  // parameter names must not contain '_': DL4J's updater splits "layer_param" keys at the last underscore
  public static final String LN1_GAIN = "ln1G";
  public static final String LN1_BIAS = "ln1B";
  public static final String IN_W = "attnInW";
  public static final String IN_B = "attnInB";
  public static final String OUT_W = "attnOutW";
  public static final String OUT_B = "attnOutB";
  public static final String LN2_GAIN = "ln2G";
  public static final String LN2_BIAS = "ln2B";
  public static final String FC_W = "fcW";
  public static final String FC_B = "fcB";
  public static final String PROJ_W = "projW";
  public static final String PROJ_B = "projB";

  private static final double MASKED = -1e9;

  private int width;
  private int heads;
  private int mlpRatio;
  private int timeSteps;
  private boolean causal;

  /** For JSON deserialisation. */
  public SameDiffTransformerBlock() {
  }

  public SameDiffTransformerBlock(int width, int heads, int mlpRatio, int timeSteps, boolean causal) {
    if (width % heads != 0) {
      throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
    }
    this.width = width;
    this.heads = heads;
    this.mlpRatio = mlpRatio;
    this.timeSteps = timeSteps;
    this.causal = causal;
  }

  @Override
  protected SDVariable defineBody(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    int d = width / heads;
    // x: [B, C, T]
    SDVariable ln1 = sd.nn().layerNorm(x, p.get(LN1_GAIN), p.get(LN1_BIAS), true, 1);        // [B, C, T]
    SDVariable rows = ln1.permute(0, 2, 1).reshape(-1, width);                                // [B*T, C]
    SDVariable qkv = rows.mmul(p.get(IN_W)).add(p.get(IN_B));                                 // [B*T, 3C]
    SDVariable q = heads(sd, qkv.get(org.nd4j.autodiff.samediff.SDIndex.all(),
        org.nd4j.autodiff.samediff.SDIndex.interval(0, width)), d);                          // [B*H, T, D]
    SDVariable k = heads(sd, qkv.get(org.nd4j.autodiff.samediff.SDIndex.all(),
        org.nd4j.autodiff.samediff.SDIndex.interval(width, 2 * width)), d);
    SDVariable v = heads(sd, qkv.get(org.nd4j.autodiff.samediff.SDIndex.all(),
        org.nd4j.autodiff.samediff.SDIndex.interval(2 * width, 3 * width)), d);
    SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(d));             // [B*H, T, T]
    SDVariable bias = maskBias(sd, mask);                                                     // [B*H, T, T] or [T, T]
    if (bias != null) {
      scores = scores.add(bias);
    }
    SDVariable attn = sd.nn().softmax(scores, -1);                                            // [B*H, T, T]
    SDVariable ctx = sd.mmul(attn, v);                                                        // [B*H, T, D]
    SDVariable merged = ctx.reshape(-1, heads, timeSteps, d).permute(0, 2, 1, 3)
        .reshape(-1, width);                                                                  // [B*T, C]
    SDVariable attnOut = merged.mmul(p.get(OUT_W)).add(p.get(OUT_B));                          // [B*T, C]
    SDVariable h = x.add(attnOut.reshape(-1, timeSteps, width).permute(0, 2, 1));              // [B, C, T]
    SDVariable ln2 = sd.nn().layerNorm(h, p.get(LN2_GAIN), p.get(LN2_BIAS), true, 1);
    SDVariable hidden = sd.nn().gelu(ln2.permute(0, 2, 1).reshape(-1, width).mmul(p.get(FC_W))
        .add(p.get(FC_B)));                                                                   // [B*T, R*C]
    SDVariable mlp = hidden.mmul(p.get(PROJ_W)).add(p.get(PROJ_B));                            // [B*T, C]
    return h.add(mlp.reshape(-1, timeSteps, width).permute(0, 2, 1));                          // [B, C, T]
  }

  /** [B*T, C] -> [B*H, T, D]. */
  private SDVariable heads(SameDiff sd, SDVariable rows, int d) {
    return rows.reshape(-1, timeSteps, heads, d)   // [B, T, H, D]
        .permute(0, 2, 1, 3)                       // [B, H, T, D]
        .reshape(-1, timeSteps, d);                // [B*H, T, D]
  }

  /** Additive attention bias: -1e9 where a key is padding (per batch row) or in the future (causal). */
  private SDVariable maskBias(SameDiff sd, SDVariable mask) {
    SDVariable bias = null;
    if (causal) {
      double[][] future = new double[timeSteps][timeSteps];
      for (int i = 0; i < timeSteps; i++) {
        for (int j = i + 1; j < timeSteps; j++) {
          future[i][j] = MASKED;
        }
      }
      bias = sd.constant(org.nd4j.linalg.factory.Nd4j.create(future).castTo(mask.dataType()));  // [T, T]
    }
    if (mask != null) {
      // mask [B, T] (1 = token) -> key bias [B*H, 1, T]
      SDVariable keyBias = mask.rsub(1.0).mul(MASKED);                                         // [B, T]
      SDVariable perHead = keyBias.reshape(-1, 1, 1, timeSteps)
          .add(sd.zero(null, mask.dataType(), 1, heads, 1, 1))                                 // [B, H, 1, T]
          .reshape(-1, 1, timeSteps);                                                           // [B*H, 1, T]
      bias = bias == null ? perHead : perHead.add(bias);
    }
    return bias;
  }

  @Override
  protected Set<String> decayedParams() {
    return Set.of(IN_W, OUT_W, FC_W, PROJ_W);
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(LN1_GAIN, width);
    params.addBiasParam(LN1_BIAS, width);
    params.addWeightParam(IN_W, width, 3L * width);
    params.addBiasParam(IN_B, 1, 3L * width);
    params.addWeightParam(OUT_W, width, width);
    params.addBiasParam(OUT_B, 1, width);
    params.addWeightParam(LN2_GAIN, width);
    params.addBiasParam(LN2_BIAS, width);
    params.addWeightParam(FC_W, width, (long) mlpRatio * width);
    params.addBiasParam(FC_B, 1, (long) mlpRatio * width);
    params.addWeightParam(PROJ_W, (long) mlpRatio * width, width);
    params.addBiasParam(PROJ_B, 1, width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    java.util.Random r = new java.util.Random(12345);
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      String name = e.getKey();
      INDArray a = e.getValue();
      if (name.equals(LN1_GAIN) || name.equals(LN2_GAIN)) {
        a.assign(1.0);
      } else if (name.endsWith("B")) {
        a.assign(0.0);
      } else {
        double std = 1.0 / Math.sqrt(a.size(0)); // fan-in scaled
        for (long i = 0; i < a.length(); i++) {
          a.putScalar(i, r.nextGaussian() * std);
        }
      }
    }
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, timeSteps);
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }

  public int getHeads() {
    return heads;
  }

  public void setHeads(int heads) {
    this.heads = heads;
  }

  public int getMlpRatio() {
    return mlpRatio;
  }

  public void setMlpRatio(int mlpRatio) {
    this.mlpRatio = mlpRatio;
  }

  public int getTimeSteps() {
    return timeSteps;
  }

  public void setTimeSteps(int timeSteps) {
    this.timeSteps = timeSteps;
  }

  public boolean isCausal() {
    return causal;
  }

  public void setCausal(boolean causal) {
    this.causal = causal;
  }
}
