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
}
