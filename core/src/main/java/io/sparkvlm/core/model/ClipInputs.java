package io.sparkvlm.core.model;

import io.sparkvlm.core.image.Resample;
import io.sparkvlm.core.text.Tokenizer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model inputs from raw pairs, as OpenCLIP prepares them: images decoded, cropped and resized to the model's size
 * as the tower's {@link ImagePreprocess} says (Pillow's resampling, to the bit) and normalised with CLIP's channel
 * mean and deviation; captions as
 * {@code <|startoftext|> tokens <|endoftext|>} cut to the context length with the end-of-text token kept last.
 * Plain functions: Spark executors call them inside their tasks.
 */
public final class ClipInputs {
  /** CLIP's (OpenAI's) per-channel normalisation, which OpenCLIP keeps. */
  public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private ClipInputs() {}

  /** A crop box in source pixels. */
  public record Crop(int x, int y, int width, int height) implements Serializable {
    /**
     * A training crop: random-resized-crop as torchvision's, square, a side of sqrt(U(minScale, 1)) of the shorter
     * side placed uniformly in the image ({@code minScale} = 1: the centre square of the shorter side). OpenCLIP trains
     * so whatever its evaluation's resize mode, and so do all modes but LLaVA's padding
     * ({@link ImagePreprocess.ResizeMode#PAD}), whose crop is drawn in the padded square ({@link #padded}) as LLaVA-1.5
     * trains on it ({@code minScale} = 1: exactly that square, what evaluation sees).
     */
    public static Crop random(int width, int height, double minScale, SplittableRandom r,
        ImagePreprocess.ResizeMode mode) {
      if (mode != ImagePreprocess.ResizeMode.PAD) {
        return randomSquare(width, height, minScale, r);
      }
      Crop frame = padded(width, height);
      Crop in = randomSquare(frame.width(), frame.height(), minScale, r);
      return new Crop(frame.x() + in.x(), frame.y() + in.y(), in.width(), in.height());
    }

    private static Crop randomSquare(int width, int height, double minScale, SplittableRandom r) {
      if (minScale >= 1) {
        return center(width, height);
      }
      int shorter = Math.min(width, height);
      double scale = minScale + (1 - minScale) * r.nextDouble();
      int side = Math.max(1, (int) Math.round(shorter * Math.sqrt(scale)));
      return new Crop(r.nextInt(width - side + 1), r.nextInt(height - side + 1), side, side);
    }

    /** The centred square of the shorter side. */
    public static Crop center(int width, int height) {
      int side = Math.min(width, height);
      return new Crop((width - side) / 2, (height - side) / 2, side, side);
    }

    /**
     * The centred square of the longer side: the whole image, padded on the short side's two ends (OWLv2's framing;
     * {@link #pixels(BufferedImage, Crop, int, Resample.Filter)} fills the padding with the normalisation's mean,
     * i.e. zeros).
     */
    public static Crop padded(int width, int height) {
      int side = Math.max(width, height);
      return new Crop((width - side) / 2, (height - side) / 2, side, side);
    }
  }

  /**
   * The most pixels (width x height) {@link #decode} decodes: PIL's decompression-bomb limit, ingest's default
   * ({@code ingest.image.max-pixels}). Models see a few hundred pixels a side; larger images are refused.
   */
  public static final long MAX_DECODED_PIXELS = 89_478_485L;

  /**
   * Decodes an encoded image (the first frame of an animation); a clear error when it is not one. The size is read
   * from the header first, and an image of more than {@link #MAX_DECODED_PIXELS} is refused before any pixel is
   * decoded: a pairs dataset that is not ingest's, or a user's file, may hold a decompression bomb, and decoding
   * it would take the executor's memory rather than fail the one image. Nothing is written to disk.
   */
  public static BufferedImage decode(byte[] encoded) {
    // cached in memory: ImageIO's default stream copies the bytes to a temporary file first (ImageIO.getUseCache),
    // which took about as long as decoding a 64 px JPEG
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new IllegalArgumentException("not a decodable image (" + encoded.length + " bytes)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if ((long) width * height > MAX_DECODED_PIXELS) {
          throw new IllegalArgumentException("too many pixels to decode (decompression bomb?): " + width + "x"
              + height + " > " + MAX_DECODED_PIXELS);
        }
        BufferedImage image = reader.read(0, reader.getDefaultReadParam());
        if (image == null) {
          throw new IllegalArgumentException("not a decodable image (" + encoded.length + " bytes)");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot decode image: " + e.getMessage(), e);
    }
  }

  /**
   * [3 * size * size] channel-first floats, normalised: the {@code crop} of {@code image} resized to the square with
   * {@code interpolation} (torchvision's resized crop on a PIL image: crop, then Pillow's resize). Where the crop
   * reaches past the image's edges it shows the normalisation's mean colour, which normalises to zero.
   */
  public static float[] pixels(BufferedImage image, Crop crop, int size, Resample.Filter interpolation) {
    return pixels(image, crop, size, interpolation, MEAN_RGB);
  }

  /**
   * As {@link #pixels(BufferedImage, Crop, int, Resample.Filter)} with {@code preprocess}'s interpolation, and its
   * padding colour where the crop reaches past the image (a training crop of LLaVA's padded square).
   */
  public static float[] pixels(BufferedImage image, Crop crop, int size, ImagePreprocess preprocess) {
    return pixels(image, crop, size, preprocess.interpolation(), preprocess.padding());
  }

  private static float[] pixels(BufferedImage image, Crop crop, int size, Resample.Filter interpolation, int fill) {
    int[] cut = cut(rgb(image), image.getWidth(), image.getHeight(), crop.x(), crop.y(), crop.width(),
        crop.height(), fill);
    return normalised(Resample.resize(cut, crop.width(), crop.height(), size, size, interpolation), size);
  }

  /** The normalisation's mean as an 8-bit colour (rounded): it normalises to zero. */
  private static final int MEAN_RGB = (Math.round(MEAN[0] * 255) << 16) | (Math.round(MEAN[1] * 255) << 8)
      | Math.round(MEAN[2] * 255);

  /**
   * [3 * size * size] channel-first floats, normalised: {@code image} as OpenCLIP's evaluation transform makes it
   * with {@code preprocess} (docs/models.md "Image preprocessing"): resized by its mode and interpolation, cropped or
   * padded to the centred square.
   */
  public static float[] pixels(BufferedImage image, ImagePreprocess preprocess, int size) {
    return normalised(square(rgb(image), image.getWidth(), image.getHeight(), preprocess, size), size);
  }

  /** An encoded image as {@code vision}'s tower sees it in evaluation: decoded, then its {@link ImagePreprocess}. */
  public static float[] pixels(byte[] encoded, VisionTower vision) {
    return pixels(decode(encoded), vision.preprocess(), vision.imageSize());
  }

  /** The {@code size} x {@code size} packed RGB square of OpenCLIP's evaluation transform, before normalisation. */
  static int[] square(int[] rgb, int width, int height, ImagePreprocess preprocess, int size) {
    Resample.Filter filter = preprocess.interpolation();
    switch (preprocess.resize()) {
      case SQUASH:
        return Resample.resize(rgb, width, height, size, size, filter);
      case SHORTEST: {
        // torchvision's Resize(size): the shorter side becomes size, the longer int(size * long / short)
        boolean portrait = width <= height;
        int shorter = portrait ? width : height;
        int longer = portrait ? height : width;
        int newLonger = (int) ((double) size * longer / shorter);
        int w = portrait ? size : newLonger;
        int h = portrait ? newLonger : size;
        int[] resized = Resample.resize(rgb, width, height, w, h, filter);
        // CenterCrop: top int(round((h - size) / 2.0)), Python's rounding (half to even)
        return cut(resized, w, h, (int) Math.rint((w - size) / 2.0), (int) Math.rint((h - size) / 2.0), size, size,
            0);
      }
      case LONGEST: {
        // ResizeKeepRatio(size, longest=1): ratio = max(h / size, w / size), sides round(side / ratio)
        double ratio = Math.max(height / (double) size, width / (double) size);
        int h = (int) Math.rint(height / ratio);
        int w = (int) Math.rint(width / ratio);
        int[] resized = Resample.resize(rgb, width, height, w, h, filter);
        // center_crop_or_pad: pad left/top (size - side) // 2 with the fill colour, then crop the centred square
        int left = w < size ? -((size - w) / 2) : (int) Math.rint((w - size) / 2.0);
        int top = h < size ? -((size - h) / 2) : (int) Math.rint((h - size) / 2.0);
        return cut(resized, w, h, left, top, size, size, preprocess.padding());
      }
      case PAD: {
        // LLaVA's expand2square: pasted at ((side - w) // 2, (side - h) // 2) on the mean colour, then resized
        Crop frame = Crop.padded(width, height);
        int[] square = cut(rgb, width, height, frame.x(), frame.y(), frame.width(), frame.height(),
            preprocess.padding());
        return Resample.resize(square, frame.width(), frame.height(), size, size, filter);
      }
      default:
        throw new IllegalStateException("resize mode " + preprocess.resize());
    }
  }

  /**
   * An image's pixels as PIL's {@code convert("RGB")} gives them, packed {@code 0xRRGGBB} row-major: alpha dropped
   * (not composited), and a grey image's levels repeated in the three channels. (Java's own conversion of a grey
   * image treats its levels as linear light and brightens them: level 64 would become about 136.)
   */
  static int[] rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] out = new int[w * h];
    java.awt.image.WritableRaster raster = image.getRaster();
    if (image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
        && !(image.getColorModel() instanceof java.awt.image.IndexColorModel)) {
      int bits = image.getColorModel().getComponentSize(0);
      int[] levels = raster.getSamples(0, 0, w, h, 0, (int[]) null);
      for (int i = 0; i < out.length; i++) {
        int v = bits > 8 ? levels[i] >> (bits - 8) : levels[i];
        out[i] = (v << 16) | (v << 8) | v;
      }
      return out;
    }
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR || image.getType() == BufferedImage.TYPE_4BYTE_ABGR) {
      // what ImageIO decodes most JPEGs and PNGs to: read the bytes (getRGB converts pixel by pixel, 8x slower)
      java.awt.image.ComponentSampleModel m = (java.awt.image.ComponentSampleModel) raster.getSampleModel();
      int[] offsets = m.getBandOffsets();
      byte[] data = ((java.awt.image.DataBufferByte) raster.getDataBuffer()).getData();
      if (raster.getParent() == null && raster.getDataBuffer().getNumBanks() == 1
          && raster.getDataBuffer().getOffset() == 0) {
        int stride = m.getPixelStride();
        for (int y = 0; y < h; y++) {
          int at = y * m.getScanlineStride();
          for (int x = 0; x < w; x++, at += stride) {
            out[y * w + x] = ((data[at + offsets[0]] & 0xff) << 16) | ((data[at + offsets[1]] & 0xff) << 8)
                | (data[at + offsets[2]] & 0xff);
          }
        }
        return out;
      }
    }
    image.getRGB(0, 0, w, h, out, 0, w);
    for (int i = 0; i < out.length; i++) {
      out[i] &= 0xffffff;
    }
    return out;
  }

  /** The {@code cw} x {@code ch} region at ({@code x0}, {@code y0}) of an image; {@code fill} where it is outside. */
  private static int[] cut(int[] rgb, int width, int height, int x0, int y0, int cw, int ch, int fill) {
    if (x0 == 0 && y0 == 0 && cw == width && ch == height) {
      return rgb;
    }
    int[] out = new int[cw * ch];
    for (int y = 0; y < ch; y++) {
      int sy = y0 + y;
      for (int x = 0; x < cw; x++) {
        int sx = x0 + x;
        out[y * cw + x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? rgb[sy * width + sx] : fill;
      }
    }
    return out;
  }

  /** Channel-first floats with CLIP's normalisation of a packed RGB square. */
  private static float[] normalised(int[] rgb, int size) {
    float[] chw = new float[3 * size * size];
    int plane = size * size;
    for (int at = 0; at < plane; at++) {
      int p = rgb[at];
      chw[at] = (((p >> 16) & 0xff) / 255f - MEAN[0]) / STD[0];
      chw[plane + at] = (((p >> 8) & 0xff) / 255f - MEAN[1]) / STD[1];
      chw[2 * plane + at] = ((p & 0xff) / 255f - MEAN[2]) / STD[2];
    }
    return chw;
  }

  /**
   * Token ids of one text: start, BPE tokens, end; at most {@code context} ids, the end token always last (CLIP's
   * captions; the LM's documents take context + 1, inputs plus the shifted targets).
   */
  public static int[] tokens(Tokenizer tokenizer, String caption, int context) {
    int[] body = tokenizer.encode(caption);
    int n = Math.min(body.length, context - 2);
    int[] ids = new int[n + 2];
    ids[0] = tokenizer.startOfText();
    System.arraycopy(body, 0, ids, 1, n);
    ids[n + 1] = tokenizer.endOfText();
    return ids;
  }

  /** [B, 3, S, S] from per-image channel-first floats. */
  public static INDArray images(List<float[]> pixels, int size) {
    float[] all = new float[pixels.size() * 3 * size * size];
    int at = 0;
    for (float[] p : pixels) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return Nd4j.create(all, new long[] {pixels.size(), 3, size, size}, DataType.FLOAT);
  }

  /** Token ids [B, 1, T] (padding 0 after the end token) and the mask [B, T] of real tokens. */
  public static INDArray[] text(List<int[]> tokens, int context) {
    int b = tokens.size();
    float[] ids = new float[b * context];
    float[] mask = new float[b * context];
    for (int i = 0; i < b; i++) {
      int[] t = tokens.get(i);
      if (t.length > context) {
        throw new IllegalArgumentException("caption " + i + " has " + t.length + " tokens, context is " + context);
      }
      for (int j = 0; j < t.length; j++) {
        ids[i * context + j] = t[j];
        mask[i * context + j] = 1;
      }
    }
    return new INDArray[] {Nd4j.create(ids, new long[] {b, 1, context}, DataType.FLOAT),
        Nd4j.create(mask, new long[] {b, context}, DataType.FLOAT)};
  }

  /** One training minibatch for {@link ClipModel}: inputs (image, text), the text mask, the unused labels. */
  public static MultiDataSet batch(List<float[]> pixels, List<int[]> tokens, ClipShape shape) {
    INDArray[] text = text(tokens, shape.contextLength());
    return new MultiDataSet(new INDArray[] {images(pixels, shape.imageSize()), text[0]},
        new INDArray[] {Nd4j.zeros(DataType.FLOAT, pixels.size(), 2L * shape.embedDim())},
        new INDArray[] {null, text[1]}, null);
  }
}
