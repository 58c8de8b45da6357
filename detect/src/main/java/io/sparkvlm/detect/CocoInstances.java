package io.sparkvlm.detect;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.DetectionInstances;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.SerializableHadoopConf;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.VisionTower;
import io.sparkvlm.core.model.detection.DetectionLabels;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A COCO instances file as the detector reads it (the detection-instances contract, {@link DetectionInstances}):
 * its images, each with its boxes and the query that names each box: the annotation's {@code combination} where
 * present (the synthetic world's "red star"), else its category's name (plain COCO). Everything is checked before
 * any work, and a problem names the file and the entry.
 */
public final class CocoInstances {
  /** One box in pixels, COCO's [x, y, width, height], and the query that names it. */
  public record Box(double[] xywh, String query) implements Serializable {}

  /** One image: id, path relative to the images root, size, boxes. */
  public record Image(long id, String fileName, int width, int height, List<Box> boxes) implements Serializable {}

  private final List<Image> images;
  private final List<String> queries;

  private CocoInstances(List<Image> images, List<String> queries) {
    this.images = images;
    this.queries = queries;
  }

  public List<Image> images() {
    return images;
  }

  /** Every query a box names, sorted: the training queries. */
  public List<String> boxedQueries() {
    return queries;
  }

  /** The queries to ask at test time: the contract's combinations when listed, else every category's name. */
  public static List<String> allQueries(JsonNode instances, String where) {
    List<String> out = new ArrayList<>();
    if (instances.has(DetectionInstances.COMBINATIONS)) {
      instances.get(DetectionInstances.COMBINATIONS).forEach(c -> out.add(c.path("name").asText()));
    } else {
      instances.path("categories").forEach(c -> out.add(c.path("name").asText()));
    }
    if (out.isEmpty() || out.stream().anyMatch(String::isBlank)) {
      throw new DatasetError(where + ": no queries (combinations or categories with names)");
    }
    return out;
  }

  /** Category id -> name. */
  public static Map<Integer, String> categoryNames(JsonNode instances) {
    Map<Integer, String> names = new LinkedHashMap<>();
    instances.path("categories").forEach(c -> names.put(c.path("id").asInt(), c.path("name").asText()));
    return names;
  }

  public static CocoInstances read(JsonNode n, String where) {
    if (!n.path("images").isArray() || !n.path("annotations").isArray() || !n.path("categories").isArray()) {
      throw new DatasetError(where + ": not a COCO instances file (it needs images, annotations and categories "
          + "arrays)");
    }
    Map<Integer, String> categories = categoryNames(n);
    Map<Long, List<Box>> boxes = new LinkedHashMap<>();
    Map<Long, String> firstAnnotationOn = new LinkedHashMap<>();
    for (JsonNode a : n.get("annotations")) {
      JsonNode b = a.path("bbox");
      if (!a.path("image_id").canConvertToLong()) {
        throw new DatasetError(where + ": annotation " + a.path("id") + " has no numeric image_id (got "
            + a.path("image_id") + ")");
      }
      long imageId = a.path("image_id").asLong();
      firstAnnotationOn.putIfAbsent(imageId, a.path("id").toString());
      if (!b.isArray() || b.size() != 4 || b.get(2).asDouble() <= 0 || b.get(3).asDouble() <= 0) {
        throw new DatasetError(where + ": annotation " + a.path("id") + " has no valid bbox [x, y, w, h] "
            + "(got " + b + ")");
      }
      String query = a.has(DetectionInstances.COMBINATION) ? a.get(DetectionInstances.COMBINATION).asText()
          : categories.get(a.path("category_id").asInt());
      if (query == null) {
        throw new DatasetError(where + ": annotation " + a.path("id") + " has category " + a.path("category_id")
            + ", which is not in categories");
      }
      boxes.computeIfAbsent(imageId, k -> new ArrayList<>()).add(new Box(new double[] {b.get(0).asDouble(),
          b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()}, query));
    }
    List<Image> images = new ArrayList<>();
    TreeSet<String> queries = new TreeSet<>();
    java.util.Set<Long> imageIds = new java.util.HashSet<>();
    for (JsonNode i : n.get("images")) {
      String file = i.path("file_name").asText("");
      int w = i.path("width").asInt(0);
      int h = i.path("height").asInt(0);
      if (!i.path("id").canConvertToLong() || file.isEmpty() || w <= 0 || h <= 0) {
        throw new DatasetError(where + ": image " + i.path("id") + " needs a numeric id, file_name, width and "
            + "height");
      }
      long id = i.path("id").asLong();
      if (!imageIds.add(id)) {
        throw new DatasetError(where + ": image id " + id + " is listed twice in images");
      }
      List<Box> own = boxes.getOrDefault(id, List.of());
      own.forEach(b -> queries.add(b.query()));
      images.add(new Image(id, file, w, h, List.copyOf(own)));
    }
    for (Map.Entry<Long, String> e : firstAnnotationOn.entrySet()) {
      if (!imageIds.contains(e.getKey())) {
        throw new DatasetError(where + ": annotation " + e.getValue() + " is on image " + e.getKey()
            + ", which is not in images (its boxes would be lost and the image trained as background)");
      }
    }
    return new CocoInstances(images, List.copyOf(queries));
  }

  /**
   * The square the detector reads of a {@code width} x {@code height} image, in training and detection alike: the
   * whole image, padded to a square (OWLv2's framing), so no object is out of its sight. (The CLIPs train on centre
   * crops; on a square image the two are the same.)
   */
  public static ClipInputs.Crop frame(int width, int height) {
    return ClipInputs.Crop.padded(width, height);
  }

  /** An encoded image as the detector on {@code vision} reads it ({@link #frame}). */
  public static float[] framedPixels(byte[] encoded, VisionTower vision) {
    return framedPixels(ClipInputs.decode(encoded), vision);
  }

  /** A decoded image as the detector on {@code vision} reads it: its {@link #frame}, resized with its interpolation. */
  public static float[] framedPixels(java.awt.image.BufferedImage image, VisionTower vision) {
    return ClipInputs.pixels(image, frame(image.getWidth(), image.getHeight()), vision.imageSize(),
        vision.preprocess().interpolation());
  }

  /**
   * An image's boxes as the detector sees them: normalised (cx, cy, w, h) within its {@link #frame}, cut to it (a
   * box reaching past the image's edges).
   */
  public static DetectionLabels.Truth truth(Image image, List<String> queries) {
    ClipInputs.Crop crop = frame(image.width(), image.height());
    List<double[]> out = new ArrayList<>();
    List<Integer> query = new ArrayList<>();
    for (Box b : image.boxes()) {
      int q = queries.indexOf(b.query());
      if (q < 0) {
        continue;
      }
      double side = crop.width();
      double x0 = Math.max(0, (b.xywh()[0] - crop.x()) / side);
      double y0 = Math.max(0, (b.xywh()[1] - crop.y()) / side);
      double x1 = Math.min(1, (b.xywh()[0] + b.xywh()[2] - crop.x()) / side);
      double y1 = Math.min(1, (b.xywh()[1] + b.xywh()[3] - crop.y()) / side);
      if (x1 <= x0 || y1 <= y0) {
        continue;
      }
      out.add(new double[] {(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0});
      query.add(q);
    }
    return new DetectionLabels.Truth(out.toArray(new double[0][]), query.stream().mapToInt(Integer::intValue)
        .toArray());
  }

  /** An image's bytes under the images root; a missing file is an error naming it. */
  static byte[] readImage(String root, String fileName, SerializableHadoopConf conf) throws java.io.IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root, fileName);
    try {
      return HadoopFiles.readAll(p, conf.get());
    } catch (java.io.FileNotFoundException e) {
      throw new DatasetError("detection image " + p + " does not exist (file_name " + fileName + " under "
          + "the images root)");
    }
  }

  /** A normalised (cx, cy, w, h) box of the {@link #frame} as COCO's [x, y, w, h] in the image's pixels. */
  public static double[] toPixels(double[] box, int width, int height) {
    ClipInputs.Crop crop = frame(width, height);
    double side = crop.width();
    double x0 = Math.max(0, (box[0] - box[2] / 2) * side + crop.x());
    double y0 = Math.max(0, (box[1] - box[3] / 2) * side + crop.y());
    double x1 = Math.min(width, (box[0] + box[2] / 2) * side + crop.x());
    double y1 = Math.min(height, (box[1] + box[3] / 2) * side + crop.y());
    return new double[] {x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)};
  }
}
