package io.sparkvlm.synth;

import java.util.List;
import java.util.Optional;

/**
 * A scene graph: the ground truth of one image. Objects sit in distinct cells of a {@value #GRID}x{@value #GRID}
 * grid, jittered within their cell.
 *
 * @param id stable id, e.g. {@code web-000123}
 * @param split web, seed, instruct or test
 * @param imageId integer id, unique across splits (COCO and VQA files use it)
 * @param background background colour, sRGB
 * @param lightAngle direction of the lighting gradient, degrees
 * @param lightStrength how much the gradient brightens one side and darkens the other, 0..1
 * @param objects one to four objects
 * @param word a word written in the image, if any (for OCR questions)
 */
public record Scene(String id, String split, int imageId, int background, double lightAngle, double lightStrength,
    List<SceneObject> objects, Optional<String> word) {

  public static final int GRID = 3;

  public Scene {
    objects = List.copyOf(objects);
  }

  public long count(Shape shape) {
    return objects.stream().filter(o -> o.shape() == shape).count();
  }

  public long count(Colour colour, Shape shape) {
    return objects.stream().filter(o -> o.shape() == shape && o.colour() == colour).count();
  }

  /** The image's path relative to the world's folder. */
  public String imagePath() {
    return "images/" + split + "/" + id + ".jpg";
  }
}
