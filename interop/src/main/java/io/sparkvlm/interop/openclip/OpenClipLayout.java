package io.sparkvlm.interop.openclip;

import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.layers.TextPositions;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.TokenPool;
import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.layers.VisionEmbedding;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.params.DefaultParamInitializer;

/**
 * Which tensor of OpenCLIP's CLIP state dict is which parameter of spark-vlm's {@link ClipModel}, for one shape.
 * OpenCLIP's linear layers hold {@code [out, in]} and compute {@code x W^T}; spark-vlm's hold {@code [in, out]} and
 * compute {@code x W}, so those are {@link Layout#TRANSPOSED}. The patch convolution {@code [width, 3, p, p]} is the
 * transpose of spark-vlm's patch matrix {@code [3 p p, width]} (both flatten a patch as channel, row, column).
 * Projections ({@code visual.proj}, {@code text_projection}) are {@code [width, embed]} in both.
 */
public final class OpenClipLayout {
  /** How OpenCLIP's tensor becomes spark-vlm's parameter. */
  public enum Layout {
    /** The same values in the same order (a vector may be a [1, n] row here). */
    AS_IS,
    /** spark-vlm's [b, a] is the transpose of OpenCLIP's tensor read as [a, b] (a = its first dimension). */
    TRANSPOSED
  }

  /**
   * One tensor: its OpenCLIP key and shape, the spark-vlm layer and parameter, and the layout between them.
   */
  public record Mapping(String key, long[] openClipShape, String layer, String param, Layout layout) {}

  private OpenClipLayout() {}

  /** Every tensor of a CLIP of {@code shape}, image tower first; text keys under {@code text.} if customText. */
  public static List<Mapping> of(ClipShape shape, boolean customText) {
    List<Mapping> out = new ArrayList<>();
    long w = shape.vision().width();
    long p = shape.patchSize();
    long e = shape.embedDim();
    String stem = ClipModel.VISION_STEM;
    out.add(new Mapping("visual.conv1.weight", new long[] {w, 3, p, p}, stem, VisionEmbedding.PATCH_W,
        Layout.TRANSPOSED));
    out.add(new Mapping("visual.class_embedding", new long[] {w}, stem, VisionEmbedding.CLASS_TOKEN, Layout.AS_IS));
    out.add(new Mapping("visual.positional_embedding", new long[] {shape.patches() + 1, w}, stem,
        VisionEmbedding.POSITIONS, Layout.AS_IS));
    out.add(new Mapping("visual.ln_pre.weight", new long[] {w}, stem, VisionEmbedding.LN_GAIN, Layout.AS_IS));
    out.add(new Mapping("visual.ln_pre.bias", new long[] {w}, stem, VisionEmbedding.LN_BIAS, Layout.AS_IS));
    for (int i = 0; i < shape.vision().layers(); i++) {
      block(out, "visual.transformer.resblocks." + i + ".", ClipModel.VISION_BLOCK + i, shape.vision());
    }
    out.add(new Mapping("visual.ln_post.weight", new long[] {w}, ClipModel.IMAGE_EMBEDDING, TokenPool.LN_GAIN,
        Layout.AS_IS));
    out.add(new Mapping("visual.ln_post.bias", new long[] {w}, ClipModel.IMAGE_EMBEDDING, TokenPool.LN_BIAS,
        Layout.AS_IS));
    out.add(new Mapping("visual.proj", new long[] {w, e}, ClipModel.IMAGE_EMBEDDING, TokenPool.PROJECTION,
        Layout.AS_IS));

    String text = customText ? "text." : "";
    long t = shape.text().width();
    out.add(new Mapping(text + "token_embedding.weight", new long[] {shape.vocabSize(), t}, TextStem.TOKENS,
        DefaultParamInitializer.WEIGHT_KEY, Layout.AS_IS));
    out.add(new Mapping(text + "positional_embedding", new long[] {shape.contextLength(), t}, TextStem.STEM,
        TextPositions.POSITIONS, Layout.AS_IS));
    for (int i = 0; i < shape.text().layers(); i++) {
      block(out, text + "transformer.resblocks." + i + ".", ClipModel.TEXT_BLOCK + i, shape.text());
    }
    out.add(new Mapping(text + "ln_final.weight", new long[] {t}, ClipModel.TEXT_EMBEDDING, TokenPool.LN_GAIN,
        Layout.AS_IS));
    out.add(new Mapping(text + "ln_final.bias", new long[] {t}, ClipModel.TEXT_EMBEDDING, TokenPool.LN_BIAS,
        Layout.AS_IS));
    out.add(new Mapping(text + "text_projection", new long[] {t, e}, ClipModel.TEXT_EMBEDDING, TokenPool.PROJECTION,
        Layout.AS_IS));
    out.add(new Mapping("logit_scale", new long[0], ClipModel.LOSS, ClipLoss.LOGIT_SCALE, Layout.AS_IS));
    return out;
  }

  /** One residual attention block: ln_1, attn (in_proj, out_proj), ln_2, mlp (c_fc, c_proj). */
  private static void block(List<Mapping> out, String prefix, String layer, ClipShape.Tower tower) {
    long w = tower.width();
    long f = w * tower.mlpRatio();
    out.add(new Mapping(prefix + "ln_1.weight", new long[] {w}, layer, TransformerBlock.LN1_GAIN, Layout.AS_IS));
    out.add(new Mapping(prefix + "ln_1.bias", new long[] {w}, layer, TransformerBlock.LN1_BIAS, Layout.AS_IS));
    out.add(new Mapping(prefix + "attn.in_proj_weight", new long[] {3 * w, w}, layer, TransformerBlock.IN_W,
        Layout.TRANSPOSED));
    out.add(new Mapping(prefix + "attn.in_proj_bias", new long[] {3 * w}, layer, TransformerBlock.IN_B,
        Layout.AS_IS));
    out.add(new Mapping(prefix + "attn.out_proj.weight", new long[] {w, w}, layer, TransformerBlock.OUT_W,
        Layout.TRANSPOSED));
    out.add(new Mapping(prefix + "attn.out_proj.bias", new long[] {w}, layer, TransformerBlock.OUT_B, Layout.AS_IS));
    out.add(new Mapping(prefix + "ln_2.weight", new long[] {w}, layer, TransformerBlock.LN2_GAIN, Layout.AS_IS));
    out.add(new Mapping(prefix + "ln_2.bias", new long[] {w}, layer, TransformerBlock.LN2_BIAS, Layout.AS_IS));
    out.add(new Mapping(prefix + "mlp.c_fc.weight", new long[] {f, w}, layer, TransformerBlock.FC_W,
        Layout.TRANSPOSED));
    out.add(new Mapping(prefix + "mlp.c_fc.bias", new long[] {f}, layer, TransformerBlock.FC_B, Layout.AS_IS));
    out.add(new Mapping(prefix + "mlp.c_proj.weight", new long[] {w, f}, layer, TransformerBlock.PROJ_W,
        Layout.TRANSPOSED));
    out.add(new Mapping(prefix + "mlp.c_proj.bias", new long[] {w}, layer, TransformerBlock.PROJ_B, Layout.AS_IS));
  }

  /** {@code values} of OpenCLIP's tensor in spark-vlm's order. */
  static float[] toSparkVlm(Mapping m, float[] values) {
    return m.layout() == Layout.AS_IS ? values : transpose(values, (int) m.openClipShape()[0]);
  }

  /** {@code values} of spark-vlm's parameter in OpenCLIP's order. */
  static float[] toOpenClip(Mapping m, float[] values) {
    if (m.layout() == Layout.AS_IS) {
      return values;
    }
    int rows = (int) m.openClipShape()[0];
    return transpose(values, values.length / rows);
  }

  /** The transpose of a row-major [rows, n / rows] matrix. */
  private static float[] transpose(float[] a, int rows) {
    int cols = a.length / rows;
    float[] out = new float[a.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[j * rows + i] = a[i * cols + j];
      }
    }
    return out;
  }
}
