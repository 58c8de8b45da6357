package io.sparkvlm.core.model;

import io.sparkvlm.core.text.Tokenizer;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
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
 * Model inputs from raw pairs, as OpenCLIP prepares them: images decoded, (optionally) cropped, resized to the
 * model's size and normalised with CLIP's channel mean and deviation; captions as
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
     * Random-resized-crop as torchvision's, square: a side of sqrt(U(minScale, 1)) of the shorter side, placed
     * uniformly. {@code minScale} = 1 is a centre crop of the shorter side.
     */
    public static Crop random(int width, int height, double minScale, SplittableRandom r) {
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
     * {@link #pixels(BufferedImage, Crop, int)} fills the padding with the normalisation's mean, i.e. zeros).
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

  /** [3 * size * size] channel-first floats, normalised: the crop of {@code image} resized bilinearly. */
  public static float[] pixels(BufferedImage image, Crop crop, int size) {
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    if (crop.x() < 0 || crop.y() < 0 || crop.x() + crop.width() > image.getWidth()
        || crop.y() + crop.height() > image.getHeight()) {
      // what a crop reaching past the image's edges shows: the mean colour, which normalises to zero
      g.setColor(new java.awt.Color(Math.round(MEAN[0] * 255), Math.round(MEAN[1] * 255),
          Math.round(MEAN[2] * 255)));
      g.fillRect(0, 0, size, size);
    }
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, size, size, crop.x(), crop.y(), crop.x() + crop.width(), crop.y() + crop.height(),
        null);
    g.dispose();
    float[] chw = new float[3 * size * size];
    int plane = size * size;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb = out.getRGB(x, y);
        int at = y * size + x;
        chw[at] = (((rgb >> 16) & 0xff) / 255f - MEAN[0]) / STD[0];
        chw[plane + at] = (((rgb >> 8) & 0xff) / 255f - MEAN[1]) / STD[1];
        chw[2 * plane + at] = ((rgb & 0xff) / 255f - MEAN[2]) / STD[2];
      }
    }
    return chw;
  }

  /** The whole image, centre-cropped to a square, at {@code size}: what evaluation uses. */
  public static float[] pixels(byte[] encoded, int size) {
    BufferedImage image = decode(encoded);
    return pixels(image, Crop.center(image.getWidth(), image.getHeight()), size);
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
