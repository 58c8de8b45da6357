package io.sparkvlm.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A COCO captions file, as COCO's {@code captions_train2017.json} and the synthetic world's caption splits are written:
 * <pre>
 *   {"images": [{"id": 1, "file_name": "a.jpg", ...}], "annotations": [{"id": 7, "image_id": 1, "caption": "..."}]}
 * </pre>
 * Read on the driver (such files are tens of megabytes at most). A file that is not JSON, an image without an id or a
 * file name, an image id twice, or an annotation without a caption or naming an image the file does not list is a
 * {@link DatasetError} naming the file and the entry.
 */
public final class CocoCaptions {
  public static final String IMAGES = "images";
  public static final String ANNOTATIONS = "annotations";
  public static final String IMAGE_ID = "id";
  public static final String FILE_NAME = "file_name";
  public static final String ANNOTATION_ID = "id";
  public static final String ANNOTATION_IMAGE_ID = "image_id";
  public static final String CAPTION = "caption";

  private CocoCaptions() {}

  /** One image of the file with its captions in the file's order (empty when no annotation names it). */
  public record Image(long id, String fileName, List<String> captions) {}

  /** One caption, with its annotation's id (the file's order). */
  public record Caption(String annotationId, long imageId, String fileName, String text) {}

  /** The file's images in its order, each with its captions. */
  public static List<Image> images(Path file, Configuration conf) {
    Parsed p = parse(file, conf);
    Map<Long, List<String>> captions = new LinkedHashMap<>();
    p.images.keySet().forEach(id -> captions.put(id, new ArrayList<>()));
    for (Caption c : p.captions) {
      captions.get(c.imageId()).add(c.text());
    }
    List<Image> out = new ArrayList<>();
    p.images.forEach((id, name) -> out.add(new Image(id, name, List.copyOf(captions.get(id)))));
    return out;
  }

  /** Every caption of the file in its order, with the file name of its image. */
  public static List<Caption> captions(Path file, Configuration conf) {
    return parse(file, conf).captions;
  }

  private record Parsed(Map<Long, String> images, List<Caption> captions) {}

  private static Parsed parse(Path file, Configuration conf) {
    JsonNode root = JsonFiles.read(file, conf, "the COCO captions file");
    if (root == null || !root.path(IMAGES).isArray() || !root.path(ANNOTATIONS).isArray()) {
      throw new DatasetError(file + " is not a COCO captions file: it needs an '" + IMAGES + "' and an '"
          + ANNOTATIONS + "' array");
    }
    Map<Long, String> images = new LinkedHashMap<>();
    int index = 0;
    for (JsonNode im : root.get(IMAGES)) {
      if (!im.path(IMAGE_ID).canConvertToLong() || !im.path(FILE_NAME).isTextual()) {
        throw new DatasetError(file + ": images[" + index + "] needs a numeric '" + IMAGE_ID + "' and a '" + FILE_NAME
            + "'");
      }
      if (images.put(im.get(IMAGE_ID).asLong(), im.get(FILE_NAME).asText()) != null) {
        throw new DatasetError(file + ": image id " + im.get(IMAGE_ID).asLong() + " appears twice in '" + IMAGES
            + "'");
      }
      index++;
    }
    List<Caption> captions = new ArrayList<>();
    index = 0;
    for (JsonNode a : root.get(ANNOTATIONS)) {
      String where = file + ": annotations[" + index + "] (id " + a.path(ANNOTATION_ID).asText("none") + ")";
      if (!a.path(ANNOTATION_IMAGE_ID).canConvertToLong()) {
        throw new DatasetError(where + " has no numeric '" + ANNOTATION_IMAGE_ID + "'");
      }
      long imageId = a.get(ANNOTATION_IMAGE_ID).asLong();
      String name = images.get(imageId);
      if (name == null) {
        throw new DatasetError(where + " names image " + imageId + ", which is not in its '" + IMAGES + "'");
      }
      if (!a.path(CAPTION).isTextual()) {
        throw new DatasetError(where + " has no '" + CAPTION + "'");
      }
      captions.add(new Caption(a.path(ANNOTATION_ID).asText(), imageId, name, a.get(CAPTION).asText()));
      index++;
    }
    return new Parsed(images, captions);
  }
}
