package io.sparkvlm.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.CocoCaptions;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.JsonLines;
import io.sparkvlm.filter.FilterConfig.SeedFormat;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clean seed set both models are fine-tuned on, image paths relative to a root folder, in one of two formats
 * ({@link SeedFormat}): JSON Lines {@code {"id", "image", "captions": [...]}} (the synthetic world's
 * {@code seed/pairs.jsonl}), or a COCO captions file (human captions on real data, e.g. COCO's
 * {@code captions_train2017.json}; an image no caption names is left out and counted in the log). Read on the driver
 * with the images' bytes: it is small by nature. An empty set, a line without an id, an image or captions, an
 * image that cannot be read, or an id twice is an error naming the line (or the image).
 */
final class SeedSet {
  private static final Logger LOG = LoggerFactory.getLogger(SeedSet.class);

  private SeedSet() {}

  /** One seed image and its human captions. */
  record Image(String id, byte[] image, List<String> captions) implements Serializable {}

  static List<Image> read(String root, String pairs, SeedFormat format, Configuration conf) throws IOException {
    Path file = new Path(root, pairs);
    if (!file.getFileSystem(conf).exists(file)) {
      throw new DatasetError("No seed set at " + file + " (filter.seed.root + filter.seed.pairs)");
    }
    List<Image> out = switch (format) {
      case PAIRS_JSONL -> pairsJsonl(root, file, conf);
      case COCO_CAPTIONS -> cocoCaptions(root, file, conf);
    };
    if (out.isEmpty()) {
      throw new DatasetError("The seed set " + file + " (" + ConfigReader.configName(format)
          + ") is empty (no image with a caption): the captioner and the filter need clean pairs");
    }
    return out;
  }

  private static List<Image> pairsJsonl(String root, Path file, Configuration conf) throws IOException {
    List<Image> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
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
      out.add(new Image(id, image(root, n.get("image").asText(), where, conf), List.copyOf(captions)));
    }
    return out;
  }

  private static List<Image> cocoCaptions(String root, Path file, Configuration conf) {
    List<Image> out = new ArrayList<>();
    int uncaptioned = 0;
    for (CocoCaptions.Image im : CocoCaptions.images(file, conf)) {
      if (im.captions().isEmpty()) {
        uncaptioned++;
        continue;
      }
      out.add(new Image(Long.toString(im.id()), image(root, im.fileName(), file + ": image " + im.id(), conf),
          im.captions()));
    }
    if (uncaptioned > 0) {
      LOG.info("filter: seed set {}: {} images without a caption left out, {} images with captions", file,
          uncaptioned, out.size());
    }
    return out;
  }

  private static byte[] image(String root, String name, String where, Configuration conf) {
    Path image = new Path(root, name);
    try {
      return HadoopFiles.readAll(image, conf);
    } catch (IOException e) {
      throw new DatasetError(where + ": cannot read image " + image + ": " + e.getMessage());
    }
  }
}
