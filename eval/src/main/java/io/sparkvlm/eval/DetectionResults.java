package io.sparkvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.DetectionInstances;
import io.sparkvlm.core.image.ImageCodecs;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.eval.metrics.DetectionAveragePrecision;
import io.sparkvlm.eval.metrics.DetectionAveragePrecision.Detection;
import io.sparkvlm.eval.metrics.DetectionAveragePrecision.GroundTruth;
import io.sparkvlm.eval.report.HtmlReport;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * COCO box detection results scored against COCO instances ({@link DetectionAveragePrecision}, pycocotools' AP),
 * at two levels:
 * <ul>
 *   <li>the file's categories (shapes in the synthetic world), as pycocotools scores them;</li>
 *   <li>colour-shape combinations, when the instances name each box's {@value #COMBINATION} and list the
 *       {@value #COMBINATIONS} ({@link DetectionInstances}), and every result names the
 *       combination it was asked for (an open-vocabulary query such as "red star"). Each combination is then a
 *       category of its own, and AP is reported for the three groups: boxed in training (seen), unboxed (the words
 *       seen in image-text pretraining, no box), and held out (neither).</li>
 * </ul>
 * Scored once, when made. Results on images the instances do not have, of unknown categories or combinations, or
 * where some results name a combination and others do not, are errors.
 */
public final class DetectionResults {
  private static final String COMBINATIONS = DetectionInstances.COMBINATIONS;
  private static final String COMBINATION = DetectionInstances.COMBINATION;
  private static final int GALLERY = 8;
  private static final double GALLERY_MIN_SCORE = 0.3;

  /** A combination group of the open-vocabulary report. */
  public enum Group { SEEN, UNBOXED, HELD_OUT }

  private final Map<Long, String> imageFiles = new LinkedHashMap<>();
  private final List<GroundTruth> truth = new ArrayList<>();
  private final List<Optional<String>> truthCombination = new ArrayList<>();
  private final List<Detection> detections = new ArrayList<>();
  private final List<Optional<String>> detectionCombination = new ArrayList<>();
  private final Map<Integer, String> categories = new LinkedHashMap<>();
  private final Map<String, Group> combinations = new LinkedHashMap<>();
  private final DetectionAveragePrecision.Result byCategory;
  private final Map<Group, DetectionAveragePrecision.Result> byGroup = new LinkedHashMap<>();

  public DetectionResults(JsonNode instances, String instancesName, JsonNode results, String resultsName) {
    for (String key : List.of("images", "annotations", "categories")) {
      if (!instances.path(key).isArray()) {
        throw new IllegalArgumentException(instancesName + " is not COCO instances: no '" + key + "' array");
      }
    }
    instances.get("images").forEach(i -> imageFiles.put(i.get("id").asLong(), i.path("file_name").asText(null)));
    instances.get("categories").forEach(c -> categories.put(c.get("id").asInt(), c.path("name").asText()));
    instances.path(COMBINATIONS).forEach(c -> combinations.put(c.get("name").asText(),
        c.path(DetectionInstances.HELD_OUT).asBoolean() ? Group.HELD_OUT
            : c.path(DetectionInstances.BOXED_IN_TRAINING).asBoolean() ? Group.SEEN
            : Group.UNBOXED));
    for (JsonNode a : instances.get("annotations")) {
      truth.add(new GroundTruth(a.get("image_id").asLong(), a.get("category_id").asInt(), box(a, instancesName),
          a.path("iscrowd").asInt() == 1));
      truthCombination.add(a.has(COMBINATION) ? Optional.of(a.get(COMBINATION).asText()) : Optional.empty());
    }
    if (!results.isArray()) {
      throw new IllegalArgumentException(resultsName + " is not COCO detection results: expected "
          + "[{image_id, category_id, bbox, score}]");
    }
    long named = 0;
    for (JsonNode r : results) {
      for (String key : List.of("image_id", "category_id", "bbox", "score")) {
        if (!r.has(key)) {
          throw new IllegalArgumentException(resultsName + ": a result has no '" + key + "': " + r);
        }
      }
      if (!wholeNumber(r.get("image_id")) || !wholeNumber(r.get("category_id"))
          || !r.get("score").isNumber() || !Double.isFinite(r.get("score").asDouble())) {
        throw new IllegalArgumentException(resultsName + ": a result's image_id and category_id must be integers "
            + "and its score a finite number: " + r);
      }
      int category = r.get("category_id").asInt();
      if (!categories.containsKey(category)) {
        throw new IllegalArgumentException(resultsName + ": category_id " + category + " is not one of "
            + instancesName + "'s categories " + categories.keySet());
      }
      Optional<String> combination = Optional.ofNullable(r.path(COMBINATION).asText(null));
      if (combination.isPresent()) {
        named++;
        if (!combinations.containsKey(combination.get())) {
          throw new IllegalArgumentException(resultsName + ": combination '" + combination.get() + "' is not in "
              + instancesName + "'s " + COMBINATIONS);
        }
      }
      detections.add(new Detection(r.get("image_id").asLong(), category, box(r, resultsName),
          r.get("score").asDouble()));
      detectionCombination.add(combination);
    }
    if (named != 0 && named != detections.size()) {
      throw new IllegalArgumentException(resultsName + ": " + named + " of " + detections.size() + " results name "
          + "a combination; either all do (open-vocabulary queries) or none");
    }
    byCategory = DetectionAveragePrecision.evaluate(imageFiles.keySet(), categories.keySet(), truth, detections);
    if (named > 0) {
      if (truthCombination.stream().anyMatch(Optional::isEmpty)) {
        throw new IllegalArgumentException(instancesName + " has annotations without a '" + COMBINATION + "', so "
            + "results per combination cannot be scored");
      }
      scoreCombinations();
    }
  }

  /** Each combination as a category of its own: AP over the combinations of each group. */
  private void scoreCombinations() {
    Map<String, Integer> id = new LinkedHashMap<>();
    combinations.keySet().forEach(c -> id.put(c, id.size() + 1));
    List<GroundTruth> t = new ArrayList<>();
    for (int i = 0; i < truth.size(); i++) {
      GroundTruth g = truth.get(i);
      t.add(new GroundTruth(g.imageId(), id.get(truthCombination.get(i).get()), g.box(), g.crowd()));
    }
    List<Detection> d = new ArrayList<>();
    for (int i = 0; i < detections.size(); i++) {
      Detection x = detections.get(i);
      d.add(new Detection(x.imageId(), id.get(detectionCombination.get(i).get()), x.box(), x.score()));
    }
    for (Group group : Group.values()) {
      TreeSet<Integer> ids = new TreeSet<>();
      combinations.forEach((name, g) -> {
        if (g == group) {
          ids.add(id.get(name));
        }
      });
      if (!ids.isEmpty()) {
        byGroup.put(group, DetectionAveragePrecision.evaluate(imageFiles.keySet(), ids, t, d));
      }
    }
  }

  public DetectionAveragePrecision.Result byCategory() {
    return byCategory;
  }

  /** AP per combination group; empty when the results name no combination. */
  public Map<Group, DetectionAveragePrecision.Result> byGroup() {
    return byGroup;
  }

  /** {@code vlm eval detection}'s metrics.json. */
  public Map<String, Object> metrics() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "detection");
    out.put("images", imageFiles.size());
    out.put("boxes", truth.size());
    out.put("detections", detections.size());
    byCategory.metrics().forEach((k, v) -> out.put("category/" + k, v));
    Map<String, Double> perCategory = new LinkedHashMap<>();
    byCategory.perCategory().forEach((c, ap) -> perCategory.put(categories.get(c), ap));
    out.put("category/AP_per_category", perCategory);
    byGroup.forEach((g, r) -> r.metrics().forEach((k, v) -> out.put("combination/" + name(g) + "/" + k, v)));
    return out;
  }

  private static String name(Group g) {
    return g.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** Headlines, AP per group and per category, and images with true (green) and predicted (red) boxes drawn. */
  public HtmlReport report(Function<String, byte[]> imageOf) {
    HtmlReport r = new HtmlReport("Detection: " + detections.size() + " detections on " + imageFiles.size()
        + " images, " + truth.size() + " boxes");
    r.headline("AP@[.5:.95] (categories)", String.format("%.3f", byCategory.ap()));
    r.headline("AP50 (categories)", String.format("%.3f", byCategory.ap50()));
    byGroup.forEach((g, res) -> r.headline("AP50 " + name(g) + " combinations", String.format("%.3f", res.ap50())));
    if (!byGroup.isEmpty()) {
      Map<String, Double> ap50 = new LinkedHashMap<>();
      byGroup.forEach((g, res) -> ap50.put(name(g), res.ap50()));
      r.barChart("AP50 per combination group (seen: boxed in training; unboxed: words seen, no box; held out: "
          + "neither)", ap50, "AP50");
    }
    List<List<String>> rows = new ArrayList<>();
    byCategory.perCategory().forEach((c, ap) -> rows.add(List.of(categories.get(c), String.format("%.3f", ap))));
    r.table("AP@[.5:.95] per category", List.of("category", "AP"), rows);
    List<HtmlReport.Item> items = new ArrayList<>();
    for (Long image : imageFiles.keySet().stream().limit(GALLERY).toList()) {
      byte[] bytes = imageOf.apply(imageFiles.get(image));
      List<double[]> trueBoxes = truth.stream().filter(g -> g.imageId() == image).map(GroundTruth::box).toList();
      List<Integer> ofImage = new ArrayList<>();
      for (int i = 0; i < detections.size(); i++) {
        if (detections.get(i).imageId() == image) {
          ofImage.add(i);
        }
      }
      ofImage.sort(Comparator.comparingDouble((Integer i) -> detections.get(i).score()).reversed());
      // those scored at least GALLERY_MIN_SCORE; for a model that scores lower, its best as many as the true boxes
      long confident = ofImage.stream().filter(i -> detections.get(i).score() >= GALLERY_MIN_SCORE).count();
      List<Integer> drawn = ofImage.stream().limit(Math.min(10, Math.max(confident, Math.max(1,
          trueBoxes.size())))).toList();
      List<String> lines = new ArrayList<>(List.of("image " + image + ": " + trueBoxes.size() + " true boxes, "
          + confident + " detections scored at least " + GALLERY_MIN_SCORE + "; drawn:"));
      for (int i : drawn) {
        Detection d = detections.get(i);
        lines.add(String.format("%s %.3f", detectionCombination.get(i).orElse(categories.get(d.categoryId())),
            d.score()));
      }
      items.add(HtmlReport.Item.of(drawn(bytes, trueBoxes, drawn.stream().map(i -> detections.get(i).box())
          .toList()), lines));
    }
    r.gallery("True boxes (green) and detections (red)", items);
    return r;
  }

  /**
   * The image, four times larger, with the boxes drawn; null when there is no image to draw on (none, or bytes that
   * do not decode: {@link ClipInputs#decode}, which also refuses a decompression bomb from its header).
   */
  static byte[] drawn(byte[] image, List<double[]> green, List<double[]> red) {
    if (image == null) {
      return null;
    }
    BufferedImage src;
    try {
      src = ClipInputs.decode(image);
    } catch (IllegalArgumentException notAnImage) {
      return null;
    }
    int scale = 4;
    BufferedImage big = new BufferedImage(src.getWidth() * scale, src.getHeight() * scale,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = big.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.drawImage(src, 0, 0, big.getWidth(), big.getHeight(), null);
      g.setStroke(new BasicStroke(2));
      g.setColor(new Color(0x22DD44));
      green.forEach(b -> g.drawRect((int) (b[0] * scale), (int) (b[1] * scale), (int) (b[2] * scale),
          (int) (b[3] * scale)));
      g.setColor(new Color(0xFF2222));
      red.forEach(b -> g.drawRect((int) (b[0] * scale), (int) (b[1] * scale), (int) (b[2] * scale),
          (int) (b[3] * scale)));
    } finally {
      g.dispose();
    }
    return ImageCodecs.png(big);
  }

  /** A whole number, as an id must be (1 and 1.0 alike, as Python's dictionaries take them; not 1.9 or "1"). */
  private static boolean wholeNumber(JsonNode n) {
    return n.isNumber() && n.asDouble() == Math.rint(n.asDouble());
  }

  /**
   * A box {@code [x, y, width, height]} of four finite numbers with width and height not negative (corners given
   * in place of a size, or in the wrong order, are refused rather than scored as boxes that overlap nothing).
   */
  private static double[] box(JsonNode node, String file) {
    JsonNode b = node.get("bbox");
    if (b == null || !b.isArray() || b.size() != 4) {
      throw new IllegalArgumentException(file + ": a bbox is not [x, y, width, height]: " + node);
    }
    double[] out = new double[4];
    for (int i = 0; i < 4; i++) {
      if (!b.get(i).isNumber() || !Double.isFinite(b.get(i).asDouble())) {
        throw new IllegalArgumentException(file + ": a bbox holds something other than four finite numbers: " + node);
      }
      out[i] = b.get(i).asDouble();
    }
    if (out[2] < 0 || out[3] < 0) {
      throw new IllegalArgumentException(file + ": a bbox has a negative width or height (it is [x, y, width, "
          + "height], not corners): " + node);
    }
    return out;
  }
}
