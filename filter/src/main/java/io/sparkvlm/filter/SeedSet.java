package io.sparkvlm.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.JsonLines;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The clean seed set both models are fine-tuned on: JSON Lines {@code {"id", "image", "captions": [...]}}, image
 * paths relative to a root folder (the synthetic world's {@code seed/pairs.jsonl}; on real data, human captions such
 * as COCO's). Read on the driver with the images' bytes: it is small by nature. An empty set, a line without an id,
 * an image or captions, an image that cannot be read, or an id twice is an error naming the line.
 */
final class SeedSet {
  private SeedSet() {}

  /** One seed image and its human captions. */
  record Image(String id, byte[] image, List<String> captions) implements Serializable {}

  static List<Image> read(String root, String pairs, Configuration conf) throws IOException {
    Path file = new Path(root, pairs);
    if (!file.getFileSystem(conf).exists(file)) {
      throw new DatasetError("No seed set at " + file + " (filter.seed.root + filter.seed.pairs)");
    }
    List<Image> out = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonLines.Line line : JsonLines.read(file, conf, DatasetError::new)) {
      String where = line.where();
      JsonNode n = line.json();
      for (String field : List.of("id", "image", "captions")) {
        if (!n.has(field)) {
          throw new DatasetError(where + " has no '" + field + "'");
        }
      }
      if (!n.get("captions").isArray() || n.get("captions").isEmpty()) {
        throw new DatasetError(where + ": 'captions' must be a non-empty list");
      }
      String id = n.get("id").asText();
      if (!ids.add(id)) {
        throw new DatasetError(where + ": seed id " + id + " appears twice");
      }
      List<String> captions = new ArrayList<>();
      n.get("captions").forEach(cap -> captions.add(cap.asText()));
      Path image = new Path(root, n.get("image").asText());
      byte[] bytes;
      try {
        bytes = HadoopFiles.readAll(image, conf);
      } catch (IOException e) {
        throw new DatasetError(where + ": cannot read image " + image + ": " + e.getMessage());
      }
      out.add(new Image(id, bytes, List.copyOf(captions)));
    }
    if (out.isEmpty()) {
      throw new DatasetError("The seed set " + file + " is empty: the captioner and the filter need clean pairs");
    }
    return out;
  }
}
