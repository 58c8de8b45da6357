package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.dataset.DetectionInstances;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.synth.SyntheticWorld.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every object's box in the detection-instances contract (COCO instances_*.json, {@link DetectionInstances}): one
 * category per shape, the colour as an attribute of each annotation, and the colour-shape combination named too.
 * Training boxes come from the seed and instruct splits without the {@link Combo#UNBOXED} combinations; test boxes
 * are the test split's, all of them, so AP on the unboxed and held-out combinations is the open-vocabulary test.
 */
final class DetectionSets {
  private DetectionSets() {}

  static void write(Path out, List<Sample> train, List<Sample> test, int imageSize) throws IOException {
    SyntheticWorld.write(out.resolve(SyntheticWorld.DETECTION_TRAIN),
        Json.MAPPER.writeValueAsBytes(instances("seed and instruct splits, unboxed combinations left out", train,
            imageSize, true)));
    SyntheticWorld.write(out.resolve(SyntheticWorld.DETECTION_TEST),
        Json.MAPPER.writeValueAsBytes(instances("test split", test, imageSize, false)));
  }

  static ObjectNode instances(String description, List<Sample> samples, int imageSize, boolean training) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode coco = f.objectNode();
    coco.putObject("info").put("description", "spark-vlm synthetic world boxes, " + description).put("version", "1");
    coco.putArray("licenses");
    ArrayNode categories = coco.putArray("categories");
    for (Shape s : Shape.values()) {
      categories.addObject().put("id", categoryId(s)).put("name", s.word()).put("supercategory", "shape");
    }
    ArrayNode combinations = coco.putArray(DetectionInstances.COMBINATIONS);
    for (Colour c : Colour.values()) {
      for (Shape s : Shape.values()) {
        Combo combo = new Combo(c, s);
        combinations.addObject().put("name", combo.words()).put("category_id", categoryId(s))
            .put(DetectionInstances.COLOUR, c.word())
            .put(DetectionInstances.BOXED_IN_TRAINING, !Combo.UNBOXED.contains(combo) && !Combo.HELD_OUT.contains(combo))
            .put(DetectionInstances.HELD_OUT, Combo.HELD_OUT.contains(combo));
      }
    }
    ArrayNode images = coco.putArray("images");
    ArrayNode annotations = coco.putArray("annotations");
    int annotationId = 1;
    for (Sample sample : samples) {
      Scene scene = sample.scene();
      images.addObject().put("id", scene.imageId()).put("file_name", scene.imagePath()).put("width", imageSize)
          .put("height", imageSize);
      for (SceneObject o : scene.objects()) {
        Combo combo = new Combo(o.colour(), o.shape());
        if (training && Combo.UNBOXED.contains(combo)) {
          continue;
        }
        double[] box = SceneRenderer.box(o, imageSize);
        ArrayNode bbox = f.arrayNode();
        for (double v : box) {
          bbox.add(Math.round(v * 100) / 100.0);
        }
        annotations.addObject().put("id", annotationId++).put("image_id", scene.imageId())
            .put("category_id", categoryId(o.shape())).<ObjectNode>set("bbox", bbox)
            .put("area", Math.round(box[2] * box[3] * 100) / 100.0).put("iscrowd", 0)
            .put(DetectionInstances.COLOUR, o.colour().word())
            .put(DetectionInstances.COMBINATION, combo.words());
      }
    }
    return coco;
  }

  /** COCO category ids start at 1. */
  static int categoryId(Shape s) {
    return s.ordinal() + 1;
  }
}
