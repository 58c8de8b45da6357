package io.sparkvlm.interop.openclip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.image.Resample;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ImagePreprocess;
import io.sparkvlm.core.model.layers.kernels.Gelu;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * OpenCLIP's model-config JSON ({@code open_clip/model_configs/ViT-B-32.json}, or the {@code model_cfg} of an
 * {@code open_clip_config.json}) as a {@link ClipShape}, and back. Only what spark-vlm's CLIP computes is accepted:
 * a ViT image tower pooled at its class token and OpenCLIP's own text tower (causal, pooled at the end-of-text token,
 * OpenCLIP's BPE vocabulary of 49,408 ids). A field that would make the model compute something else (layer scale, a
 * timm or Hugging Face tower, attentional pooling, SigLIP's logit bias, ...) is an error naming it; a field that
 * changes only training (patch dropout) or outputs nobody reads here is accepted; an unknown field is an error.
 *
 * @param shape the model's shape
 * @param customText whether the text tower's tensors are under {@code text.} (OpenCLIP's CustomTextCLIP layout)
 */
public record OpenClipConfig(ClipShape shape, boolean customText) {
  /** OpenCLIP's tokenizer's vocabulary size: the only one an imported text tower can have. */
  public static final int OPENCLIP_VOCAB = 49408;

  /**
   * Reads a model config, or an {@code open_clip_config.json} holding one as {@code model_cfg}; {@code name} is the
   * spark-vlm model name ({@code clip-...}), {@code where} the file, for errors.
   */
  public static OpenClipConfig parse(JsonNode root, String name, String where) {
    if (root == null || !root.isObject()) {
      throw new OpenClipError(where + ": not a JSON object");
    }
    JsonNode cfg = root.has("model_cfg") ? root.get("model_cfg") : root;
    JsonNode preprocessCfg = root.path("preprocess_cfg");
    checkNormalisation(preprocessCfg, where);
    Section top = new Section(where, "", cfg);
    int embedDim = top.requiredInt("embed_dim");
    boolean quick = top.bool("quick_gelu", false);
    boolean customText = top.bool("custom_text", false);
    top.mustBeAbsentOrNull("init_logit_bias", "SigLIP's sigmoid loss and logit bias");
    top.mustBeAbsentOrNull("multimodal_cfg", "CoCa's multimodal decoder");
    top.ignore("init_logit_scale", "cast_dtype");
    Section v = top.section("vision_cfg");
    Section t = top.section("text_cfg");
    top.finish();

    JsonNode layersNode = v.node.path("layers");
    if (layersNode.isArray()) {
      throw new OpenClipError(where + ": vision_cfg.layers is a list: a ResNet image tower, which spark-vlm's CLIP "
          + "does not have (it has a ViT)");
    }
    int imageSize = v.square("image_size", 224);
    int patchSize = v.square("patch_size", 16);
    int vWidth = v.integer("width", 768);
    int vLayers = v.integer("layers", 12);
    int headWidth = v.integer("head_width", 64);
    int vMlp = v.ratio("mlp_ratio", 4.0);
    if (vWidth % headWidth != 0) {
      throw new OpenClipError(where + ": vision_cfg.head_width " + headWidth + " does not divide vision_cfg.width "
          + vWidth);
    }
    if (imageSize % patchSize != 0) {
      throw new OpenClipError(where + ": vision_cfg.patch_size " + patchSize + " does not divide "
          + "vision_cfg.image_size " + imageSize);
    }
    v.mustBeAbsentOrNull("ls_init_value", "layer scale");
    v.mustBe("attentional_pool", false);
    v.mustBe("no_ln_pre", false);
    v.mustBe("pos_embed_type", "learnable");
    v.mustBe("pool_type", "tok");
    v.mustBeAbsentOrNull("timm_model_name", "a timm image tower");
    v.mustBeAbsentOrNull("act_kwargs", "activation settings");
    v.mustBeAbsentOrNull("norm_kwargs", "layer-norm settings");
    v.customBlock();
    // patch dropout changes training only; final_ln_after_pool changes nothing for a class token (the norm is per
    // token); the rest only matter with a feature that is refused above
    v.ignore("patch_dropout", "final_ln_after_pool", "output_tokens", "attn_pooler_queries", "attn_pooler_heads",
        "timm_model_pretrained", "timm_pool", "timm_proj", "timm_proj_bias", "timm_drop", "timm_drop_path");
    v.finish();

    int context = t.integer("context_length", 77);
    int vocab = t.integer("vocab_size", OPENCLIP_VOCAB);
    if (vocab != OPENCLIP_VOCAB) {
      throw new OpenClipError(where + ": text_cfg.vocab_size is " + vocab + "; an imported text tower uses OpenCLIP's "
          + "tokenizer, whose vocabulary has " + OPENCLIP_VOCAB + " ids");
    }
    int tWidth = t.integer("width", 512);
    int tHeads = t.integer("heads", 8);
    int tLayers = t.integer("layers", 12);
    int tMlp = t.ratio("mlp_ratio", 4.0);
    if (tWidth % tHeads != 0) {
      throw new OpenClipError(where + ": text_cfg.heads " + tHeads + " does not divide text_cfg.width " + tWidth);
    }
    t.mustBeAbsentOrNull("hf_tokenizer_name", "a Hugging Face tokenizer (spark-vlm imports OpenCLIP's own)");
    t.mustBeAbsentOrNull("hf_model_name", "a Hugging Face text tower");
    t.mustBeAbsentOrNull("tokenizer_mode", "another tokenizer mode");
    t.mustBeAbsentOrNull("tokenizer_kwargs", "tokenizer settings");
    t.mustBeAbsentOrNull("ls_init_value", "layer scale");
    t.mustBe("embed_cls", false);
    t.mustBe("pad_id", 0);
    t.mustBe("no_causal_mask", false);
    t.mustBe("pool_type", "argmax");
    t.mustBe("proj_bias", false);
    t.mustBe("proj_type", "linear");
    t.mustBeAbsentOrNull("act_kwargs", "activation settings");
    t.mustBeAbsentOrNull("norm_kwargs", "layer-norm settings");
    t.customBlock();
    // with argmax pooling the final norm is per token, so before or after the pick is the same
    t.ignore("final_ln_after_pool", "output_tokens", "eos_id", "use_pad_mask", "correct_cls_mask",
        "hf_model_pretrained", "hf_proj_type", "hf_pooler_type");
    t.finish();

    Gelu gelu = quick ? Gelu.QUICK : Gelu.EXACT;
    ClipShape shape = new ClipShape(name,
        new ClipShape.Tower(vWidth, vLayers, vWidth / headWidth, vMlp, gelu),
        new ClipShape.Tower(tWidth, tLayers, tHeads, tMlp, gelu),
        imageSize, patchSize, context, vocab, embedDim, ClipShape.ImagePool.CLASS_TOKEN,
        preprocess(preprocessCfg, imageSize, where));
    return new OpenClipConfig(shape, customText);
  }

  /**
   * OpenCLIP's model config for {@code shape}. {@code endOfText} is the tokenizer's end-of-text id when the model's
   * tokenizer is not OpenCLIP's (a CLIP trained by spark-vlm): the text tower then pools at that id
   * ({@code pool_type: eos}) rather than at the highest id.
   */
  public static ObjectNode modelConfig(ClipShape shape, java.util.OptionalInt endOfText) {
    if (shape.imagePool() != ClipShape.ImagePool.CLASS_TOKEN) {
      throw new OpenClipError("Model " + shape.name() + " pools its image tower with model.vision.pool = "
          + shape.imagePool().configName() + "; OpenCLIP's ViT pools the class token or the mean of the patches "
          + "(pool_type tok or avg), so the model would not compute the same embeddings there. Export a CLIP "
          + "whose preset pools the class token (class-token, the default)");
    }
    if (shape.vision().gelu() != shape.text().gelu()) {
      throw new OpenClipError("Model " + shape.name() + " has " + shape.vision().gelu().configName() + " in its image "
          + "tower and " + shape.text().gelu().configName() + " in its text tower; OpenCLIP has one setting "
          + "(quick_gelu) for both");
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode c = f.objectNode();
    c.put("embed_dim", shape.embedDim());
    if (shape.vision().gelu() == Gelu.QUICK) {
      c.put("quick_gelu", true);
    }
    ObjectNode v = c.putObject("vision_cfg");
    v.put("image_size", shape.imageSize());
    v.put("layers", shape.vision().layers());
    v.put("width", shape.vision().width());
    v.put("head_width", shape.vision().width() / shape.vision().heads());
    v.put("mlp_ratio", (double) shape.vision().mlpRatio());
    v.put("patch_size", shape.patchSize());
    ObjectNode t = c.putObject("text_cfg");
    t.put("context_length", shape.contextLength());
    t.put("vocab_size", shape.vocabSize());
    t.put("width", shape.text().width());
    t.put("heads", shape.text().heads());
    t.put("layers", shape.text().layers());
    t.put("mlp_ratio", (double) shape.text().mlpRatio());
    if (endOfText.isPresent()) {
      t.put("pool_type", "eos");
      t.put("eos_id", endOfText.getAsInt());
    }
    return c;
  }

  /** One object of the config, its fields consumed one by one so that what is left over can be refused. */
  private static final class Section {
    private final String where;
    private final String path;
    private final JsonNode node;
    private final Set<String> seen = new TreeSet<>();

    Section(String where, String path, JsonNode node) {
      this.where = where;
      this.path = path;
      this.node = node;
      if (!node.isObject()) {
        throw new OpenClipError(where + ": " + (path.isEmpty() ? "the model config" : path) + " is not an object");
      }
    }

    private String field(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    private JsonNode take(String key) {
      seen.add(key);
      return node.get(key);
    }

    Section section(String key) {
      JsonNode n = take(key);
      if (n == null) {
        throw new OpenClipError(where + ": no " + field(key));
      }
      return new Section(where, field(key), n);
    }

    int requiredInt(String key) {
      JsonNode n = take(key);
      if (n == null) {
        throw new OpenClipError(where + ": no " + field(key));
      }
      return asInt(key, n);
    }

    int integer(String key, int otherwise) {
      JsonNode n = take(key);
      return n == null || n.isNull() ? otherwise : asInt(key, n);
    }

    private int asInt(String key, JsonNode n) {
      if (!n.isIntegralNumber() || n.asInt() <= 0) {
        throw new OpenClipError(where + ": " + field(key) + " is " + n + ", not a positive integer");
      }
      return n.asInt();
    }

    /** An image or patch size: one integer, or a [height, width] pair of equal sides. */
    int square(String key, int otherwise) {
      JsonNode n = take(key);
      if (n == null || n.isNull()) {
        return otherwise;
      }
      if (n.isArray()) {
        if (n.size() != 2 || !n.get(0).equals(n.get(1))) {
          throw new OpenClipError(where + ": " + field(key) + " is " + n + "; spark-vlm's ViT is square");
        }
        return asInt(key, n.get(0));
      }
      return asInt(key, n);
    }

    /** The MLP's width over the model's width: a whole number in spark-vlm's blocks. */
    int ratio(String key, double otherwise) {
      JsonNode n = take(key);
      double r = n == null || n.isNull() ? otherwise : n.asDouble(Double.NaN);
      if (n != null && !n.isNull() && !n.isNumber() || r != Math.rint(r) || r < 1) {
        throw new OpenClipError(where + ": " + field(key) + " is " + n + "; spark-vlm's blocks need a whole "
            + "ratio of at least 1");
      }
      return (int) r;
    }

    boolean bool(String key, boolean otherwise) {
      JsonNode n = take(key);
      if (n == null || n.isNull()) {
        return otherwise;
      }
      if (!n.isBoolean()) {
        throw new OpenClipError(where + ": " + field(key) + " is " + n + ", not true or false");
      }
      return n.asBoolean();
    }

    /** The field is absent, null or one of {@code allowed}. */
    void mustBe(String key, Object... allowed) {
      JsonNode n = take(key);
      if (n == null || n.isNull()) {
        return;
      }
      Object value = n.isBoolean() ? (Object) n.asBoolean() : n.isIntegralNumber() ? (Object) n.asInt()
          : n.isTextual() ? n.asText() : n.toString();
      for (Object a : allowed) {
        if (Objects.equals(a, value)) {
          return;
        }
      }
      throw new OpenClipError(where + ": " + field(key) + " is " + n + "; spark-vlm's CLIP computes only "
          + field(key) + " = " + allowed[0]);
    }

    void mustBeAbsentOrNull(String key, String what) {
      JsonNode n = take(key);
      if (n != null && !n.isNull() && !(n.isBoolean() && !n.asBoolean())) {
        throw new OpenClipError(where + ": " + field(key) + " is " + n + ": " + what + " is not supported by "
            + "spark-vlm's CLIP");
      }
    }

    /** OpenCLIP's custom attention block and its switches: only the default block. */
    void customBlock() {
      mustBe("block_type", "default");
      for (String k : new String[] {"qk_norm", "scaled_cosine_attn", "scale_heads", "scale_attn_inner", "scale_attn",
          "scale_fc"}) {
        mustBe(k, false);
      }
    }

    void ignore(String... keys) {
      seen.addAll(java.util.List.of(keys));
    }

    void finish() {
      Map<String, JsonNode> left = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> {
        if (!seen.contains(e.getKey())) {
          left.put(e.getKey(), e.getValue());
        }
      });
      if (!left.isEmpty()) {
        String first = left.keySet().iterator().next();
        throw new OpenClipError(where + ": unknown field " + field(first) + " (spark-vlm reads " + seen + " there)");
      }
    }
  }

  /**
   * How the imported model's images are prepared: an {@code open_clip_config.json}'s {@code preprocess_cfg}
   * {@code interpolation}, {@code resize_mode} and {@code fill_color}, OpenCLIP's defaults ({@code PreprocessCfg}:
   * bicubic, shortest, 0) where it does not say or where there is none (a bare model config). As OpenCLIP's
   * {@code image_transform}, {@code interpolation = random} means bicubic outside training. A {@code size} other
   * than the model's image size, a {@code mode} other than RGB, or a value OpenCLIP does not know is an error naming
   * it; other fields are ignored, as OpenCLIP's {@code merge_preprocess_dict} ignores them.
   */
  static ImagePreprocess preprocess(JsonNode cfg, int imageSize, String where) {
    JsonNode size = cfg.path("size");
    boolean sizeMatches = size.isMissingNode() || size.isNull()
        || size.isInt() && size.asInt() == imageSize
        || size.isArray() && size.size() == 2 && size.get(0).isInt() && size.get(0).asInt() == imageSize
            && size.get(1).isInt() && size.get(1).asInt() == imageSize;
    if (!sizeMatches) {
      throw new OpenClipError(where + ": preprocess_cfg.size " + size + " is not the model's image size "
          + imageSize + " (vision_cfg.image_size)");
    }
    JsonNode mode = cfg.path("mode");
    if (!mode.isMissingNode() && !mode.isNull() && !"RGB".equals(mode.asText())) {
      throw new OpenClipError(where + ": preprocess_cfg.mode " + mode + " is not RGB, the only mode OpenCLIP and "
          + "spark-vlm prepare images in");
    }
    String interpolationName = text(cfg, "interpolation", "bicubic", where);
    Resample.Filter interpolation;
    try {
      interpolation = ImagePreprocess.interpolation("random".equals(interpolationName) ? "bicubic"
          : interpolationName);
    } catch (IllegalArgumentException e) {
      throw new OpenClipError(where + ": preprocess_cfg.interpolation: " + e.getMessage());
    }
    String resizeName = text(cfg, "resize_mode", "shortest", where);
    ImagePreprocess.ResizeMode resize = java.util.Arrays.stream(OPENCLIP_RESIZE_MODES)
        .filter(m -> m.configName().equals(resizeName)).findFirst()
        .orElseThrow(() -> new OpenClipError(where + ": preprocess_cfg.resize_mode: unknown resize mode '"
            + resizeName + "' (OpenCLIP's are " + openClipResizeModes() + ")"));
    JsonNode fill = cfg.path("fill_color");
    int fillColor = 0;
    if (!fill.isMissingNode() && !fill.isNull()) {
      if (!fill.isInt() || fill.asInt() < 0 || fill.asInt() > 255) {
        throw new OpenClipError(where + ": preprocess_cfg.fill_color " + fill + " is not a grey level 0-255");
      }
      fillColor = fill.asInt();
    }
    return new ImagePreprocess(resize, interpolation, fillColor);
  }

  /** The resize modes OpenCLIP's {@code image_transform} has ({@code pad} is LLaVA's). */
  private static final ImagePreprocess.ResizeMode[] OPENCLIP_RESIZE_MODES = {ImagePreprocess.ResizeMode.SHORTEST,
      ImagePreprocess.ResizeMode.LONGEST, ImagePreprocess.ResizeMode.SQUASH};

  private static String openClipResizeModes() {
    return java.util.Arrays.stream(OPENCLIP_RESIZE_MODES).map(ImagePreprocess.ResizeMode::configName)
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * {@code shape}'s preprocessing as OpenCLIP's {@code preprocess_cfg} fields; an error for one OpenCLIP cannot
   * do (LLaVA's padding).
   */
  public static void putPreprocess(ObjectNode pre, ClipShape shape) {
    ImagePreprocess p = shape.preprocess();
    if (!java.util.Arrays.asList(OPENCLIP_RESIZE_MODES).contains(p.resize())) {
      throw new OpenClipError("Model " + shape.name() + " prepares its images with model.vision.resize = "
          + p.resize().configName() + ", which OpenCLIP's image_transform does not have (" + openClipResizeModes()
          + ")");
    }
    pre.put("interpolation", ImagePreprocess.configName(p.interpolation()));
    pre.put("resize_mode", p.resize().configName());
    pre.put("fill_color", p.fillColor());
  }

  private static String text(JsonNode cfg, String field, String fallback, String where) {
    JsonNode n = cfg.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return fallback;
    }
    if (!n.isTextual()) {
      throw new OpenClipError(where + ": preprocess_cfg." + field + " " + n + " is not a string");
    }
    return n.asText();
  }

  /**
   * An {@code open_clip_config.json}'s {@code preprocess_cfg} mean and std must be the ones spark-vlm normalises
   * with (OpenAI's, {@link ClipInputs#MEAN} and {@link ClipInputs#STD}): a model trained on other statistics (e.g.
   * 0.5 for every channel) would see differently normalised pixels than it learned on, with no error anywhere.
   */
  static void checkNormalisation(JsonNode preprocess, String where) {
    for (String key : java.util.List.of("mean", "std")) {
      JsonNode values = preprocess.path(key);
      if (values.isMissingNode() || values.isNull()) {
        continue;
      }
      float[] ours = key.equals("mean") ? ClipInputs.MEAN : ClipInputs.STD;
      boolean same = values.isArray() && values.size() == ours.length;
      for (int i = 0; same && i < ours.length; i++) {
        same = values.get(i).isNumber() && Math.abs(values.get(i).asDouble() - ours[i]) < 1e-6;
      }
      if (!same) {
        throw new OpenClipError(where + ": preprocess_cfg." + key + " " + values + " is not the normalisation "
            + "spark-vlm applies (" + java.util.Arrays.toString(ours) + ", OpenAI's): the imported model would see "
            + "pixels normalised otherwise than it was trained on");
      }
    }
  }
}
