package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.Json;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Real images: Fashion-MNIST (Zalando, MIT licence; 70,000 28x28 grey images of 10 clothing classes) from its IDX
 * files, as shipped by Debian's {@code dataset-fashion-mnist} package. Written in the same on-disk forms as the
 * synthetic world: an image folder with caption sidecars written from the labels by templates, and a zero-shot
 * evaluation set.
 */
public final class FashionMnist {
  /** Where Debian's package installs the IDX files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  public static final List<String> CLASSES = List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal",
      "shirt", "sneaker", "bag", "ankle boot");
  static final List<String> CAPTION_TEMPLATES = List.of("a photo of a %s.", "a %s on a black background",
      "product photo: %s", "a grayscale picture of a %s", "%s, catalogue image");
  static final List<String> ZERO_SHOT_TEMPLATES = List.of("a photo of a {}.", "a grayscale photo of a {}.",
      "a product photo of a {}.", "a {} on a black background.");

  private static final int IMAGE_MAGIC = 2051;
  private static final int LABEL_MAGIC = 2049;

  private FashionMnist() {}

  /** Images of one IDX file: {@code count} images of {@code rows} x {@code cols} unsigned bytes. */
  public record Images(int count, int rows, int cols, byte[] pixels) {
    public BufferedImage image(int i) {
      BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
      img.getRaster().setDataElements(0, 0, cols, rows,
          java.util.Arrays.copyOfRange(pixels, i * rows * cols, (i + 1) * rows * cols));
      return img;
    }
  }

  public static Images readImages(Path idx) throws IOException {
    try (DataInputStream in = open(idx)) {
      int magic = in.readInt();
      if (magic != IMAGE_MAGIC) {
        throw new IOException(idx + " is not an IDX image file: magic " + magic + ", expected " + IMAGE_MAGIC);
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE) {
        throw new IOException(idx + " has implausible dimensions " + count + "x" + rows + "x" + cols);
      }
      byte[] pixels = new byte[count * rows * cols];
      try {
        in.readFully(pixels);
      } catch (EOFException e) {
        throw new IOException(idx + " is truncated: expected " + count + " images of " + rows + "x" + cols, e);
      }
      return new Images(count, rows, cols, pixels);
    }
  }

  public static byte[] readLabels(Path idx) throws IOException {
    try (DataInputStream in = open(idx)) {
      int magic = in.readInt();
      if (magic != LABEL_MAGIC) {
        throw new IOException(idx + " is not an IDX label file: magic " + magic + ", expected " + LABEL_MAGIC);
      }
      int count = in.readInt();
      byte[] labels = new byte[count];
      try {
        in.readFully(labels);
      } catch (EOFException e) {
        throw new IOException(idx + " is truncated: expected " + count + " labels", e);
      }
      for (byte b : labels) {
        if (b < 0 || b >= CLASSES.size()) {
          throw new IOException(idx + " has label " + b + ", outside 0.." + (CLASSES.size() - 1));
        }
      }
      return labels;
    }
  }

  private static DataInputStream open(Path idx) throws IOException {
    InputStream raw = Files.newInputStream(idx);
    return new DataInputStream(new java.io.BufferedInputStream(
        idx.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16));
  }

  /**
   * Writes {@code images/{train,test}/CLASS/NNNNN.png} with a {@code .txt} caption beside each,
   * {@code zeroshot/fashion-mnist.json} for the test split and {@code probe/fashion-mnist.json} (classes and
   * labelled samples, for a linear probe's training) for the train split. {@code limit} caps images per split
   * (0: all).
   */
  public static int write(Path source, Path out, int limit, long seed) throws IOException {
    int written = 0;
    for (String split : List.of("train", "test")) {
      String prefix = split.equals("train") ? "train" : "t10k";
      Path imagesFile = source.resolve(prefix + "-images-idx3-ubyte.gz");
      Path labelsFile = source.resolve(prefix + "-labels-idx1-ubyte.gz");
      for (Path p : List.of(imagesFile, labelsFile)) {
        if (!Files.exists(p)) {
          throw new IOException("Fashion-MNIST file missing: " + p + " (install Debian's dataset-fashion-mnist,"
              + " or pass the folder holding the IDX files)");
        }
      }
      Images images = readImages(imagesFile);
      byte[] labels = readLabels(labelsFile);
      if (labels.length != images.count()) {
        throw new IOException(split + ": " + images.count() + " images but " + labels.length + " labels");
      }
      int n = limit > 0 ? Math.min(limit, images.count()) : images.count();
      ObjectNode zeroShot = JsonNodeFactory.instance.objectNode();
      zeroShot.put("task", "fashion-mnist");
      zeroShot.set("classes", SyntheticWorld.strings(CLASSES));
      zeroShot.set("templates", SyntheticWorld.strings(ZERO_SHOT_TEMPLATES));
      ArrayNode samples = zeroShot.putArray("samples");
      for (int i = 0; i < n; i++) {
        int label = labels[i];
        String cls = CLASSES.get(label);
        String rel = "images/" + split + "/" + cls.replace(' ', '-') + "/" + String.format("%05d", i);
        SyntheticWorld.write(out.resolve(rel + ".png"), io.sparkvlm.core.image.ImageCodecs.png(images.image(i)));
        SplittableRandom r = SyntheticWorld.random(seed, i, split.equals("train") ? 6 : 7);
        String caption = String.format(Locale.ROOT, Captioner.pick(CAPTION_TEMPLATES, r), cls);
        SyntheticWorld.write(out.resolve(rel + ".txt"), caption.getBytes(StandardCharsets.UTF_8));
        samples.addObject().put("image", rel + ".png").put("label", label);
        written++;
      }
      if (split.equals("test")) {
        SyntheticWorld.write(out.resolve("zeroshot/fashion-mnist.json"), Json.MAPPER.writeValueAsBytes(zeroShot));
      } else {
        zeroShot.remove("templates");
        SyntheticWorld.write(out.resolve("probe/fashion-mnist.json"), Json.MAPPER.writeValueAsBytes(zeroShot));
      }
    }
    // suite.json: so `vlm eval model --suite OUT` finds the files
    com.fasterxml.jackson.databind.node.ObjectNode suite = Json.MAPPER.createObjectNode();
    suite.putArray("zero-shot").add("zeroshot/fashion-mnist.json");
    suite.putArray("probe-train").add("probe/fashion-mnist.json");
    SyntheticWorld.write(out.resolve(io.sparkvlm.core.clipeval.ClipEvalSets.SUITE_FILE),
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(suite));
    return written;
  }
}
