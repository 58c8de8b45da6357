package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.synth.SyntheticWorld.Sample;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.sql.SparkSession;

/**
 * The web split as the outside world would offer it: URL lists (TSV and Parquet, img2dataset's column names) with
 * noisy alt-text captions pointing at the simulated web, the same samples as WebDataset tar shards, and the ground
 * truth (noise type and injected fault per URL) in a separate file no training stage reads.
 */
final class WebSplit {
  private WebSplit() {}

  record Result(Map<String, Integer> noise, Map<String, Integer> faults) {}

  static Result write(SparkSession spark, Path out, List<Sample> web, SynthConfig c) throws IOException {
    Map<String, Integer> noiseCounts = new TreeMap<>();
    Map<String, Integer> faultCounts = new TreeMap<>();
    List<String> truth = new ArrayList<>();
    List<String[]> urlRows = new ArrayList<>();
    List<String> tsv = new ArrayList<>();
    tsv.add("url\tcaption");
    for (Sample s : web) {
      Scene scene = s.scene();
      SplittableRandom r = SyntheticWorld.random(c.seed(), scene.imageId(), 3);
      NoiseType noise = pick(c.noise(), NoiseType.values(), r);
      Scene other = null;
      if (noise == NoiseType.MISMATCHED) {
        for (int attempt = 0; attempt < 50 && other == null && web.size() > 1; attempt++) {
          Scene candidate = web.get(r.nextInt(web.size())).scene();
          if (candidate != scene && !WebCaptioner.couldDescribe(candidate, scene)) {
            other = candidate;
          }
        }
        if (other == null) {
          noise = NoiseType.BOILERPLATE; // a world too small to have a different scene
        }
      }
      String caption = WebCaptioner.caption(scene, noise, other, r).replaceAll("[\\t\\r\\n]", " ");
      WebFault fault = pickFault(c.web().faults(), r);
      String url = c.web().baseUrl() + "/img/" + scene.id() + ".jpg";
      noiseCounts.merge(ConfigReader.configName(noise), 1, Integer::sum);
      faultCounts.merge(ConfigReader.configName(fault), 1, Integer::sum);
      truth.add(SyntheticWorld.line(JsonNodeFactory.instance.objectNode()
          .put(SyntheticWorld.TRUTH_SCENE_ID, scene.id()).put("image_id", scene.imageId()).put("image", scene.imagePath())
          .put(SyntheticWorld.TRUTH_URL, url).put("caption", caption)
          .put("noise", ConfigReader.configName(noise)).put("matches_image", noise.matchesImage())
          .put("fault", fault.name())));
      urlRows.add(new String[] {url, caption});
      tsv.add(url + "\t" + caption);
    }
    SyntheticWorld.writeLines(out.resolve(SyntheticWorld.WEB_TRUTH), truth);
    SyntheticWorld.writeLines(out.resolve(SyntheticWorld.URLS_TSV), tsv);
    SyntheticWorld.writeUrlParquet(spark, out, urlRows);
    writeShards(out, web, urlRows, c.web().shardSize());
    return new Result(noiseCounts, faultCounts);
  }

  /** WebDataset shards: for each sample KEY.jpg, KEY.txt (the web caption) and KEY.json. */
  private static void writeShards(Path out, List<Sample> web, List<String[]> urlRows, int shardSize)
      throws IOException {
    Path dir = out.resolve(SyntheticWorld.SHARDS);
    Files.createDirectories(dir);
    for (int shard = 0; shard * shardSize < web.size(); shard++) {
      Path tar = dir.resolve(String.format("web-%05d.tar", shard));
      try (OutputStream file = Files.newOutputStream(tar);
          TarArchiveOutputStream t = new TarArchiveOutputStream(file)) {
        t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (int i = shard * shardSize; i < Math.min(web.size(), (shard + 1) * shardSize); i++) {
          Scene scene = web.get(i).scene();
          String key = scene.id();
          byte[] jpeg = Files.readAllBytes(out.resolve(scene.imagePath()));
          entry(t, key + ".jpg", jpeg);
          entry(t, key + ".txt", urlRows.get(i)[1].getBytes(StandardCharsets.UTF_8));
          entry(t, key + ".json", SyntheticWorld.line(JsonNodeFactory.instance.objectNode().put("key", key)
              .put("url", urlRows.get(i)[0]).put("caption", urlRows.get(i)[1])).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }

  private static void entry(TarArchiveOutputStream t, String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    e.setModTime(new Date(0)); // fixed, so shards are the same bytes for the same seed
    e.setMode(0644);
    t.putArchiveEntry(e);
    t.write(data);
    t.closeArchiveEntry();
  }

  private static <E extends Enum<E>> E pick(Map<E, Double> rates, E[] order, SplittableRandom r) {
    double u = r.nextDouble();
    double acc = 0;
    E last = null;
    for (E e : order) {
      acc += rates.getOrDefault(e, 0.0);
      last = e;
      if (u < acc) {
        return e;
      }
    }
    return last;
  }

  private static WebFault pickFault(Map<WebFault, Double> rates, SplittableRandom r) {
    double u = r.nextDouble();
    double acc = 0;
    for (WebFault f : WebFault.values()) {
      acc += rates.getOrDefault(f, 0.0);
      if (u < acc) {
        return f;
      }
    }
    return WebFault.NONE;
  }
}
