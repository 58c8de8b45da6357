package io.sparkvlm.core.model;

import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.image.Resample;

/**
 * How an image becomes a model's square input, OpenCLIP's {@code preprocess_cfg} less the normalisation (which is
 * CLIP's, {@link ClipInputs#MEAN}): the resize mode, the interpolation filter and the padding grey. Part of a vision
 * tower's shape, so it travels with every checkpoint built on the tower and every stage makes the pixels the tower
 * was trained on. A preset sets it with {@code model.vision.resize}, {@code model.vision.interpolation} and
 * {@code model.vision.fill-color}; an imported OpenCLIP model with its {@code preprocess_cfg}.
 *
 * @param resize how the image is fitted to the square
 * @param interpolation Pillow's filter for every resize, training crops included
 * @param fillColor the grey (0-255) {@link ResizeMode#LONGEST} pads with, as OpenCLIP's {@code fill_color}
 */
public record ImagePreprocess(ResizeMode resize, Resample.Filter interpolation, int fillColor)
    implements java.io.Serializable {

  /**
   * What spark-vlm's presets use, and what a shape written before the setting existed gets: the shorter side resized
   * to the model's size (bilinear), then the centre square.
   */
  public static final ImagePreprocess DEFAULT = new ImagePreprocess(ResizeMode.SHORTEST, Resample.Filter.BILINEAR, 0);

  /** OpenCLIP's defaults ({@code PreprocessCfg}): shortest side, bicubic, fill 0. */
  public static final ImagePreprocess OPENCLIP = new ImagePreprocess(ResizeMode.SHORTEST, Resample.Filter.BICUBIC, 0);

  /** LLaVA's padding colour: {@code tuple(int(x * 255) for x in image_processor.image_mean)}, CLIP's mean. */
  public static final int LLAVA_BACKGROUND = ((int) (ClipInputs.MEAN[0] * 255) << 16)
      | ((int) (ClipInputs.MEAN[1] * 255) << 8) | (int) (ClipInputs.MEAN[2] * 255);

  public ImagePreprocess {
    if (resize == null || interpolation == null) {
      throw new IllegalArgumentException("an image preprocess needs a resize mode and an interpolation");
    }
    if (fillColor < 0 || fillColor > 255) {
      throw new IllegalArgumentException("fill colour " + fillColor + " is not a grey level 0-255");
    }
  }

  /** How an image is fitted to the square: OpenCLIP's {@code resize_mode}s, and LLaVA-1.5's padding. */
  public enum ResizeMode {
    /** The shorter side resized to the size, then the centre square cut out (torchvision's Resize + CenterCrop). */
    SHORTEST,
    /** The longer side resized to the size, then the short side padded with the fill colour, centred. */
    LONGEST,
    /** The whole image resized to the square, its aspect ratio not kept. */
    SQUASH,
    /**
     * LLaVA-1.5's {@code image_aspect_ratio = pad} ({@code expand2square}): the image expanded to the square of its
     * longer side, centred on the normalisation's mean colour ({@link ImagePreprocess#LLAVA_BACKGROUND}), then
     * resized to the size. Not one of OpenCLIP's modes.
     */
    PAD;

    /** Its name in config (and, but for pad, in OpenCLIP's {@code preprocess_cfg}): shortest, longest, squash, pad. */
    public String configName() {
      return ConfigReader.configName(this);
    }
  }

  /** Its name in config and in OpenCLIP's {@code preprocess_cfg}: bilinear, bicubic. */
  public static String configName(Resample.Filter filter) {
    return ConfigReader.configName(filter);
  }

  /** The resize mode named {@code name}; an error listing the known ones otherwise. */
  public static ResizeMode resizeMode(String name) {
    return ConfigReader.named(ResizeMode.class, name).orElseThrow(() -> new IllegalArgumentException(
        "unknown resize mode '" + name + "' (expected " + String.join(", ", ConfigReader.configNames(ResizeMode.class))
            + ")"));
  }

  /** The interpolation named {@code name}; an error listing the known ones otherwise. */
  public static Resample.Filter interpolation(String name) {
    return ConfigReader.named(Resample.Filter.class, name).orElseThrow(() -> new IllegalArgumentException(
        "unknown interpolation '" + name + "' (expected "
            + String.join(", ", ConfigReader.configNames(Resample.Filter.class)) + ")"));
  }

  /** The preprocess a CLIP preset's {@code section} ({@code model.vision}) sets; {@link #DEFAULT}'s where not. */
  static ImagePreprocess from(Config c, String section) {
    String resizeKey = section + ".resize";
    String interpolationKey = section + ".interpolation";
    String fillKey = section + ".fill-color";
    ResizeMode resize = DEFAULT.resize();
    Resample.Filter interpolation = DEFAULT.interpolation();
    int fill = DEFAULT.fillColor();
    try {
      if (c.hasPath(resizeKey)) {
        resize = resizeMode(c.getString(resizeKey));
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigError(resizeKey, "Config key '" + resizeKey + "': " + e.getMessage());
    }
    try {
      if (c.hasPath(interpolationKey)) {
        interpolation = interpolation(c.getString(interpolationKey));
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigError(interpolationKey, "Config key '" + interpolationKey + "': " + e.getMessage());
    }
    if (c.hasPath(fillKey)) {
      fill = c.getInt(fillKey);
      if (fill < 0 || fill > 255) {
        throw new ConfigError(fillKey, "Config key '" + fillKey + "' = " + fill + " is not a grey level 0-255");
      }
    }
    return new ImagePreprocess(resize, interpolation, fill);
  }

  /**
   * The colour (0xRRGGBB) this preprocessing pads with: LLaVA's background for {@link ResizeMode#PAD}, the fill
   * grey otherwise (what {@link ResizeMode#LONGEST} pads with; the other modes do not pad).
   */
  public int padding() {
    return resize == ResizeMode.PAD ? LLAVA_BACKGROUND : (fillColor << 16) | (fillColor << 8) | fillColor;
  }

  /** The same, with the image fitted to the square by {@code mode}. */
  public ImagePreprocess withResize(ResizeMode mode) {
    return new ImagePreprocess(mode, interpolation, fillColor);
  }

  /** As a preset would set it: {@code resize = shortest, interpolation = bilinear, fill-color = 0}. */
  @Override
  public String toString() {
    return "resize = " + resize.configName() + ", interpolation = " + configName(interpolation) + ", fill-color = "
        + fillColor;
  }
}
