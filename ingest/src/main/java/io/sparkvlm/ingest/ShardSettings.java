package io.sparkvlm.ingest;

import com.fasterxml.jackson.core.type.TypeReference;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.SettingValues;
import io.sparkvlm.core.dataset.InputRef;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The settings that decide what a download shard holds: the input (its path, columns and content) and the rows'
 * numbering, and what is done to each image and caption. Recorded in the work folder ({@code WORK/_shard_settings.json}) beside the shards, so a
 * rerun that would reuse finished shards made with other values is refused naming the keys, instead of writing
 * their old rows under the new settings. How a download is attempted (threads, timeouts, retries, DNS) may change
 * between runs; so may dedup, which runs after the shards.
 */
public record ShardSettings(TreeMap<String, String> values) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The record's file name in the work folder. */
  public static final String FILE_NAME = "_shard_settings.json";

  /** The keys recorded, each under {@code ingest.}; a section stands for every key in it. */
  static final List<String> KEYS = List.of("input.path", "input.format", "input.url-column", "input.caption-column",
      "input.carry", "input.encoding", "rows-per-shard", "image", "caption", "download.max-bytes",
      "download.max-redirects", "download.opt-out-directives", "download.allow-cidrs");

  /**
   * Which library codes JPEGs: in the image section, not recorded, because every library gives the same pixels and
   * bytes ({@code JpegLibrary}), so shards made with one are the shards the other would make.
   */
  static final String JPEG_LIBRARY = "ingest.image.jpeg-library";

  /** The values of {@link #KEYS} in the resolved config, each as its text; an unset (null) key as "null". */
  static ShardSettings from(ConfigReader c) {
    TreeMap<String, String> out = new TreeMap<>();
    for (String k : KEYS) {
      String key = "ingest." + k;
      if (c.config().hasPath(key) && c.config().getValue(key).valueType()
          == com.typesafe.config.ConfigValueType.OBJECT) {
        c.stringMap(key).forEach((sub, v) -> out.put(key + "." + sub, v));
      } else {
        out.put(key, c.config().hasPath(key) ? String.valueOf(c.config().getValue(key).unwrapped()) : "null");
      }
    }
    out.remove(JPEG_LIBRARY);
    return new ShardSettings(out);
  }

  /** The key under which the input's content hash is recorded. */
  static final String INPUT_CONTENT = "ingest.input.path (content sha256)";

  /** These settings and the input's content ({@link InputRef}: a file's bytes, a folder's or glob's listing). */
  ShardSettings withInput(InputRef input) {
    TreeMap<String, String> out = new TreeMap<>(values);
    out.put(INPUT_CONTENT, input.kind() + ":" + input.sha256());
    return new ShardSettings(out);
  }

  /**
   * Checks these settings against the ones {@code work}'s finished shards were made with, then records them. With
   * no finished shard they are recorded as they are; finished shards without a record (made before it existed)
   * are kept and the record written.
   *
   * @throws ConfigError naming each key whose value differs, both values, and the way on
   */
  void checkAndRecord(String work, int finishedShards, Configuration conf) throws IOException {
    Path file = new Path(work, FILE_NAME);
    if (finishedShards > 0 && HadoopFiles.existsWithContent(file, conf)) {
      Map<String, String> was = Json.MAPPER.readValue(HadoopFiles.readAll(file, conf),
          new TypeReference<TreeMap<String, String>>() {});
      Set<String> keys = new TreeSet<>(was.keySet());
      keys.addAll(values.keySet());
      List<String> differ = new ArrayList<>();
      for (String k : keys) {
        if (!SettingValues.same(was.get(k), values.get(k))) {
          differ.add(k + " was " + was.getOrDefault(k, "unset") + ", now " + values.getOrDefault(k, "unset"));
        }
      }
      if (!differ.isEmpty()) {
        throw new ConfigError("ingest.work", "ingest: the work folder " + work + " holds " + finishedShards
            + " finished download shard(s) made with other settings, which a rerun would reuse: "
            + String.join("; ", differ) + ". Delete " + work + ", or set ingest.work to another folder, to download "
            + "again with these settings (recorded in " + file + ")");
      }
    }
    HadoopFiles.writeAtomically(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(values), conf);
  }
}
