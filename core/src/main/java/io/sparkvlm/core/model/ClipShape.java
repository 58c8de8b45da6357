package io.sparkvlm.core.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.model.layers.TokenPool;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.core.model.layers.kernels.Gelu;

/**
 * The shape of a CLIP model in OpenCLIP's layout (ViT image tower, causal text transformer pooled at the
 * end-of-text token, both projected to {@code embedDim}, a learnable logit scale), and its size: parameters and
 * FLOPs, computed from the shape. Presets are data files, {@code conf/models/NAME.conf}.
 */
public record ClipShape(String name, Tower vision, Tower text, int imageSize, int patchSize, int contextLength,
    int vocabSize, int embedDim, ImagePool imagePool, ImagePreprocess preprocess) implements java.io.Serializable {

  /** A shape whose images are prepared the default way ({@link ImagePreprocess#DEFAULT}). */
  public ClipShape(String name, Tower vision, Tower text, int imageSize, int patchSize, int contextLength,
      int vocabSize, int embedDim, ImagePool imagePool) {
    this(name, vision, text, imageSize, patchSize, contextLength, vocabSize, embedDim, imagePool,
        ImagePreprocess.DEFAULT);
  }

  /** A shape whose image tower pools its class token (OpenCLIP's {@code pool_type: tok}). */
  public ClipShape(String name, Tower vision, Tower text, int imageSize, int patchSize, int contextLength,
      int vocabSize, int embedDim) {
    this(name, vision, text, imageSize, patchSize, contextLength, vocabSize, embedDim, ImagePool.CLASS_TOKEN);
  }

  public ClipShape {
    // presets and manifests written before the setting pooled the class token
    imagePool = imagePool == null ? ImagePool.CLASS_TOKEN : imagePool;
    // and before the image preprocessing was a setting: what spark-vlm's was
    preprocess = preprocess == null ? ImagePreprocess.DEFAULT : preprocess;
  }

  /**
   * How the image tower turns its tokens into one embedding ({@code model.vision.pool}): the class token, as
   * OpenAI's CLIP and OpenCLIP's ViTs do, or the maximum of each channel over the normed patch tokens. On the
   * synthetic world, whose objects are small on a plain background, the maximum learns colours and retrieval in far
   * fewer steps (docs/stages/pretrain.md); OpenCLIP has no such pooling, so such a CLIP does not export to it.
   */
  public enum ImagePool {
    CLASS_TOKEN(TokenPool.Pick.FIRST),
    PATCH_MAX(TokenPool.Pick.PATCH_MAX);

    private final TokenPool.Pick pick;

    ImagePool(TokenPool.Pick pick) {
      this.pick = pick;
    }

    /** Its name in {@code model.vision.pool}: class-token, patch-max. */
    public String configName() {
      return ConfigReader.configName(this);
    }

    /** The pooling layer's setting. */
    public TokenPool.Pick pick() {
      return pick;
    }

    /**
     * The vision features a connector reads this pooling's patch tokens by, when {@code features} read them poorly
     * (measured: docs/stages/instruct-tune.md): a patch-max tower's patches read uncentred, or a class-token tower's
     * centred. Empty when {@code features} suit this pooling.
     */
    public java.util.Optional<VisionFeatures> betterFeatures(VisionFeatures features) {
      return this == PATCH_MAX && !features.centred() ? java.util.Optional.of(VisionFeatures.PATCH_CENTRED)
          : this == CLASS_TOKEN && features.centred() ? java.util.Optional.of(VisionFeatures.PATCH)
          : java.util.Optional.empty();
    }

    /**
     * A warning for {@code key} = {@code features} reading this pooling's tower, naming the better choice; empty when
     * the choice suits it.
     */
    public java.util.Optional<String> featuresWarning(String key, VisionFeatures features) {
      return betterFeatures(features).map(better -> key + " = " + ConfigReader.configName(features) + " reads the "
          + "patch tokens of a CLIP with vision.pool = " + configName() + " poorly; " + ConfigReader.configName(better)
          + " suits it (docs/stages/instruct-tune.md)");
    }

    public static ImagePool fromConfigName(String name) {
      return ConfigReader.named(ImagePool.class, name).orElseThrow(() -> new IllegalArgumentException(
          "unknown image pooling '" + name + "' (expected class-token or patch-max)"));
    }
  }

  /**
   * One transformer tower; {@code gelu} is its MLP's activation (QuickGELU when a preset or a manifest written before
   * the setting does not say).
   */
  public record Tower(int width, int layers, int heads, int mlpRatio, Gelu gelu) implements java.io.Serializable {
    public Tower {
      gelu = gelu == null ? Gelu.QUICK : gelu;
    }

    /** A tower with QuickGELU. */
    public Tower(int width, int layers, int heads, int mlpRatio) {
      this(width, layers, heads, mlpRatio, Gelu.QUICK);
    }

    public long blockParams() {
      long w = width;
      long hidden = w * mlpRatio;
      return 2 * (2 * w)           // two layer norms (gain, bias)
          + (w * 3 * w + 3 * w)     // attention in-projection (q, k, v) with bias
          + (w * w + w)             // attention out-projection
          + (w * hidden + hidden)   // MLP up
          + (hidden * w + w);       // MLP down
    }

    /** Forward multiply-adds x 2 of one block over {@code tokens} tokens. */
    public long blockFlops(long tokens) {
      long w = width;
      return 2 * tokens * w * 3 * w       // q, k, v
          + 2 * 2 * tokens * tokens * w   // scores and the weighted sum
          + 2 * tokens * w * w            // out-projection
          + 2 * 2 * tokens * w * w * mlpRatio; // MLP up and down
    }
  }

  /** The CLIP presets in conf/models, smallest first. */
  public static java.util.List<String> presets() {
    return ModelPresets.names(ModelPresets.Kind.CLIP);
  }

  public static ClipShape preset(String name) {
    return from(ModelPresets.load(name, ModelPresets.Kind.CLIP));
  }

  public static ClipShape from(Config c) {
    try {
      Tower vision = tower(c, "model.vision");
      Tower text = tower(c, "model.text");
      ImagePool pool;
      try {
        pool = c.hasPath("model.vision.pool") ? ImagePool.fromConfigName(c.getString("model.vision.pool"))
            : ImagePool.CLASS_TOKEN;
      } catch (IllegalArgumentException e) {
        throw new ConfigError("model.vision.pool", "Config key 'model.vision.pool': " + e.getMessage());
      }
      ClipShape s = new ClipShape(c.getString("model.name"), vision, text, c.getInt("model.vision.image-size"),
          c.getInt("model.vision.patch-size"), c.getInt("model.text.context-length"),
          c.getInt("model.text.vocab-size"), c.getInt("model.embed-dim"), pool,
          ImagePreprocess.from(c, "model.vision"));
      if (s.imageSize % s.patchSize != 0) {
        throw new ConfigError("model.vision.patch-size", "Config key 'model.vision.patch-size' = " + s.patchSize
            + " must divide model.vision.image-size = " + s.imageSize);
      }
      return s;
    } catch (ConfigException e) {
      throw new ConfigError("model", "Invalid model preset: " + e.getMessage(), e);
    }
  }

  /** A tower from a preset section: width, layers, heads, mlp-ratio and optional activation (quick_gelu, gelu). */
  static Tower tower(Config c, String path) {
    Gelu gelu;
    try {
      gelu = c.hasPath(path + ".activation") ? Gelu.fromConfigName(c.getString(path + ".activation")) : Gelu.QUICK;
    } catch (IllegalArgumentException e) {
      throw new ConfigError(path + ".activation", "Config key '" + path + ".activation': " + e.getMessage());
    }
    Tower t = new Tower(c.getInt(path + ".width"), c.getInt(path + ".layers"), c.getInt(path + ".heads"),
        c.getInt(path + ".mlp-ratio"), gelu);
    if (t.width() % t.heads() != 0) {
      throw new ConfigError(path + ".heads", "Config key '" + path + ".heads' = " + t.heads()
          + " must divide " + path + ".width = " + t.width());
    }
    return t;
  }

  /** The preset's name for another model kind built on its towers: {@code lm-nano}, {@code itm-ViT-B-32}. */
  public String nameFor(String kind) {
    return kind + "-" + name.replaceFirst("^clip-", "");
  }

  public int patches() {
    return (imageSize / patchSize) * (imageSize / patchSize);
  }

  /** The image tower as other models reuse it. */
  public VisionTower visionTower() {
    return new VisionTower(imageSize, patchSize, vision, preprocess);
  }

  /** The ViT stem: patch embedding, class token, positions, ln_pre. */
  public long visionStemParams() {
    long w = vision.width();
    return 3L * patchSize * patchSize * w  // patch embedding (a convolution without bias)
        + w                                // class token
        + (patches() + 1) * w              // positions
        + 2 * w;                           // ln_pre
  }

  /** Forward FLOPs of the patch embedding. */
  public long visionStemFlops() {
    return 2L * patches() * (3L * patchSize * patchSize) * vision.width();
  }

  public long visionParams() {
    long w = vision.width();
    return visionStemParams()
        + vision.layers() * vision.blockParams()
        + 2 * w                            // ln_post
        + w * embedDim;                    // projection
  }

  public long textParams() {
    long w = text.width();
    return (long) vocabSize * w + (long) contextLength * w + text.layers() * text.blockParams() + 2 * w
        + w * embedDim;
  }

  /** All parameters, the logit scale included. */
  public long params() {
    return visionParams() + textParams() + 1;
  }

  /** Forward FLOPs of one image through the image tower (matrix products; norms and softmax left out). */
  public long visionForwardFlops() {
    long tokens = patches() + 1;
    return visionStemFlops()
        + vision.layers() * vision.blockFlops(tokens)
        + 2L * vision.width() * embedDim;
  }

  /** Forward FLOPs of one caption through the text tower (all context positions, as the model computes them). */
  public long textForwardFlops() {
    return text.layers() * text.blockFlops(contextLength) + 2L * text.width() * embedDim;
  }

  public long forwardFlopsPerSample() {
    return visionForwardFlops() + textForwardFlops();
  }

  /** Forward plus backward (twice the forward): the usual 3x estimate used for MFU. */
  public long trainingFlopsPerSample() {
    return 3 * forwardFlopsPerSample();
  }
}
