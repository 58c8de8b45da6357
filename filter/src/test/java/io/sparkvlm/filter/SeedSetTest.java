package io.sparkvlm.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.filter.FilterConfig.SeedFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedSetTest {
  @TempDir Path root;

  private List<SeedSet.Image> read(String file, SeedFormat format) throws Exception {
    return SeedSet.read(root.toString(), file, format, new Configuration());
  }

  private void write(String name, String text) throws Exception {
    Files.createDirectories(root.resolve(name).getParent());
    Files.writeString(root.resolve(name), text);
  }

  @Test
  void cocoCaptionsGiveTheSamePairsAsJsonLines() throws Exception {
    write("images/a.jpg", "A");
    write("images/b.jpg", "B");
    write("images/c.jpg", "C");
    write("seed/pairs.jsonl", """
        {"id": "1", "image": "images/a.jpg", "captions": ["a red star", "a star"]}
        {"id": "2", "image": "images/b.jpg", "captions": ["two blue circles"]}
        """);
    // COCO's order: images then annotations in any order; image 3 has no caption (left out, counted in the log)
    write("annotations/captions_seed.json", """
        {"info": {}, "images": [{"id": 1, "file_name": "images/a.jpg", "width": 64},
                                {"id": 2, "file_name": "images/b.jpg"}, {"id": 3, "file_name": "images/c.jpg"}],
         "annotations": [{"id": 10, "image_id": 1, "caption": "a red star"},
                         {"id": 11, "image_id": 2, "caption": "two blue circles"},
                         {"id": 12, "image_id": 1, "caption": "a star"}]}
        """);
    List<SeedSet.Image> jsonl = read("seed/pairs.jsonl", SeedFormat.PAIRS_JSONL);
    List<SeedSet.Image> coco = read("annotations/captions_seed.json", SeedFormat.COCO_CAPTIONS);
    assertThat(coco).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(coco.get(i).id()).isEqualTo(jsonl.get(i).id());
      assertThat(coco.get(i).captions()).isEqualTo(jsonl.get(i).captions());
      assertThat(coco.get(i).image()).isEqualTo(jsonl.get(i).image());
    }
    assertThat(new String(coco.get(0).image())).isEqualTo("A");
  }

  @Test
  void badCocoFilesAreRefusedNamingTheEntry() throws Exception {
    write("images/a.jpg", "A");
    write("no-arrays.json", "{\"images\": []}");
    assertThatThrownBy(() -> read("no-arrays.json", SeedFormat.COCO_CAPTIONS))
        .hasMessageContaining("no-arrays.json is not a COCO captions file");
    write("unknown-image.json", "{\"images\": [{\"id\": 1, \"file_name\": \"images/a.jpg\"}], \"annotations\": "
        + "[{\"id\": 5, \"image_id\": 9, \"caption\": \"x\"}]}");
    assertThatThrownBy(() -> read("unknown-image.json", SeedFormat.COCO_CAPTIONS))
        .hasMessageContaining("annotations[0] (id 5) names image 9, which is not in its 'images'");
    write("no-caption.json", "{\"images\": [{\"id\": 1, \"file_name\": \"images/a.jpg\"}], \"annotations\": "
        + "[{\"id\": 5, \"image_id\": 1}]}");
    assertThatThrownBy(() -> read("no-caption.json", SeedFormat.COCO_CAPTIONS))
        .hasMessageContaining("annotations[0] (id 5) has no 'caption'");
    write("twice.json", "{\"images\": [{\"id\": 1, \"file_name\": \"images/a.jpg\"}, {\"id\": 1, \"file_name\": "
        + "\"images/a.jpg\"}], \"annotations\": []}");
    assertThatThrownBy(() -> read("twice.json", SeedFormat.COCO_CAPTIONS))
        .hasMessageContaining("image id 1 appears twice");
    write("missing-image.json", "{\"images\": [{\"id\": 1, \"file_name\": \"images/gone.jpg\"}], \"annotations\": "
        + "[{\"id\": 5, \"image_id\": 1, \"caption\": \"x\"}]}");
    assertThatThrownBy(() -> read("missing-image.json", SeedFormat.COCO_CAPTIONS))
        .hasMessageContaining("image 1: cannot read image").hasMessageContaining("gone.jpg");
    write("uncaptioned.json", "{\"images\": [{\"id\": 1, \"file_name\": \"images/a.jpg\"}], \"annotations\": []}");
    assertThatThrownBy(() -> read("uncaptioned.json", SeedFormat.COCO_CAPTIONS))
        .hasMessageContaining("(coco-captions) is empty");
    // JSON Lines given as COCO: not an object with the two arrays
    write("seed/pairs.jsonl", "{\"id\": \"1\", \"image\": \"images/a.jpg\", \"captions\": [\"x\"]}\n");
    assertThatThrownBy(() -> read("seed/pairs.jsonl", SeedFormat.COCO_CAPTIONS)).hasMessageContaining("pairs.jsonl");
    assertThatThrownBy(() -> read("nothing.json", SeedFormat.COCO_CAPTIONS)).hasMessageContaining("No seed set at");
  }
}
