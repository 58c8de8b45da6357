package io.sparkvlm.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.io.Json;
import org.junit.jupiter.api.Test;

/** A COCO instances file read for training: every box lands on its image, or the file is refused naming why. */
class CocoInstancesTest {
  static final String CATEGORIES = "\"categories\": [{\"id\": 1, \"name\": \"star\"}]";
  static final String IMAGE = "{\"id\": 7, \"file_name\": \"a.jpg\", \"width\": 64, \"height\": 64}";

  static CocoInstances read(String images, String annotations) throws Exception {
    return CocoInstances.read(Json.MAPPER.readTree("{\"images\": [" + images + "], \"annotations\": ["
        + annotations + "], " + CATEGORIES + "}"), "instances.json");
  }

  @Test
  void boxesLandOnTheirImages() throws Exception {
    CocoInstances in = read(IMAGE, "{\"id\": 1, \"image_id\": 7, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]}");
    assertThat(in.images()).singleElement().satisfies(i -> assertThat(i.boxes()).singleElement()
        .satisfies(b -> assertThat(b.query()).isEqualTo("star")));
  }

  @Test
  void aBoxOnNoListedImageIsRefusedNotDropped() {
    assertThatThrownBy(() -> read(IMAGE, "{\"id\": 5, \"image_id\": 8, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]}"))
        .isInstanceOf(DatasetError.class)
        .hasMessageContaining("instances.json: annotation 5 is on image 8, which is not in images");
    assertThatThrownBy(() -> read(IMAGE, "{\"id\": 6, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]}"))
        .isInstanceOf(DatasetError.class).hasMessageContaining("annotation 6 has no numeric image_id");
    assertThatThrownBy(() -> read(IMAGE + ", " + IMAGE, ""))
        .isInstanceOf(DatasetError.class).hasMessageContaining("image id 7 is listed twice");
  }

  /**
   * On a wide image the detector's frame is the whole image padded to a square: a box at the left edge, which a
   * centre crop would cut away, is trained whole and maps back to its own pixels.
   */
  @Test
  void aBoxAtTheEdgeOfAWideImageIsInTheFrameAndMapsBack() throws Exception {
    CocoInstances in = CocoInstances.read(Json.MAPPER.readTree("{\"images\": [{\"id\": 1, \"file_name\": "
        + "\"w.jpg\", \"width\": 200, \"height\": 100}], \"annotations\": [{\"id\": 1, \"image_id\": 1, "
        + "\"category_id\": 1, \"bbox\": [4, 30, 20, 40]}], " + CATEGORIES + "}"), "wide.json");
    var truth = CocoInstances.truth(in.images().get(0), in.boxedQueries());
    assertThat(truth.boxes().length).isEqualTo(1);
    double[] back = CocoInstances.toPixels(truth.boxes()[0], 200, 100);
    assertThat(back).containsExactly(new double[] {4, 30, 20, 40}, org.assertj.core.data.Offset.offset(1e-9));
  }
}
