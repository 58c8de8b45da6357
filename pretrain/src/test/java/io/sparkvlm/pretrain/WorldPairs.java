package io.sparkvlm.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.synth.SynthConfig;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * A synthetic world and a pairs dataset made from its web split without the network: what ingest would produce
 * for the pairs whose caption matches the image (status success), plus a few failed rows with no image, which
 * training must skip. (Stage modules do not depend on each other, so this stands in for ingest.)
 */
final class WorldPairs {
  static final int FAILED_ROWS = 7;

  private WorldPairs() {}

  static Path world(SparkSession spark, Path dir, int scenes) throws Exception {
    Path world = dir.resolve("world");
    SynthConfig synth = SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(),
        List.of("synth.out=\"" + world + "\"", "synth.scenes=" + scenes)))));
    SyntheticWorld.generate(spark, synth);
    return world;
  }

  /** Writes the pairs dataset (with its manifest); returns how many rows are successes. */
  static int pairs(SparkSession spark, Path world, String location) throws Exception {
    List<Row> rows = new ArrayList<>();
    int ok = 0;
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode t = Json.MAPPER.readTree(line);
      if (!t.get("matches_image").asBoolean()) {
        continue;
      }
      String id = t.get("scene_id").asText();
      byte[] image = Files.readAllBytes(world.resolve("images/web/" + id + ".jpg"));
      rows.add(RowFactory.create(id, t.get("url").asText(), t.get("caption").asText(), image, "jpeg", 64, 64, 64,
          64, null, null, PairStatus.SUCCESS.value(), null, "web", null));
      ok++;
    }
    for (int i = 0; i < FAILED_ROWS; i++) {
      rows.add(RowFactory.create("failed-" + i, "http://127.0.0.1:9/x" + i, "a caption", null, null, null, null,
          null, null, null, null, PairStatus.FAILED_TO_DOWNLOAD.value(), "connection refused", "web", null));
    }
    Datasets.WrittenDataset written = new Datasets.WrittenDataset(location, PairsSchema.SCHEMA, List.of());
    Datasets.writeRows(spark.createDataFrame(rows, PairsSchema.COLUMNS).repartition(3), location,
        PairsSchema.SCHEMA, false);
    Datasets.commit(spark, written, new Datasets.Provenance("test", Json.MAPPER.createObjectNode(),
        java.time.Instant.now()));
    return ok;
  }
}
