package io.sparkvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.BootstrappedPairs;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.synth.CaptionCheck;
import io.sparkvlm.synth.Combo;
import io.sparkvlm.synth.Splits;
import io.sparkvlm.synth.SyntheticWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * How many of a bootstrapped dataset's synthetic captions are right about their scene ({@link CaptionCheck}: the
 * colours, shapes and counts they name, against the synthetic world's scene graphs), all of them and the kept ones.
 * A synthetic-world evaluation: the dataset's synthetic rows are collected on the driver.
 */
public final class SyntheticCaptionQuality {
  private SyntheticCaptionQuality() {}

  /** Counts over the synthetic captions; {@code verdicts} over all of them. */
  public record Result(int generated, int right, int kept, int keptRight, Map<CaptionCheck.Verdict, Integer> verdicts) {
    public double rightShare() {
      return generated == 0 ? Double.NaN : right / (double) generated;
    }

    public double keptRightShare() {
      return kept == 0 ? Double.NaN : keptRight / (double) kept;
    }

    /** "wrong colour 3, wrong shape 40, ...": the count of each verdict other than right (0 where none). */
    public String problems() {
      return Arrays.stream(CaptionCheck.Verdict.values()).filter(v -> v != CaptionCheck.Verdict.RIGHT)
          .map(v -> v.label() + " " + verdicts.getOrDefault(v, 0)).collect(Collectors.joining(", "));
    }
  }

  public static Result of(SparkSession spark, String bootstrapped, Path world) throws IOException {
    Map<String, List<Combo>> objectsByScene = new HashMap<>();
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.scenes(Splits.WEB)))) {
      JsonNode scene = Json.MAPPER.readTree(line);
      objectsByScene.put(scene.path(SyntheticWorld.SCENE_ID).asText(), CaptionCheck.objects(scene));
    }
    Map<String, List<Combo>> objectsByUrl = new HashMap<>();
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode truth = Json.MAPPER.readTree(line);
      objectsByUrl.put(truth.path(SyntheticWorld.TRUTH_URL).asText(),
          objectsByScene.get(truth.path(SyntheticWorld.TRUTH_SCENE_ID).asText()));
    }
    List<Row> rows = Datasets.read(spark, bootstrapped, BootstrappedPairs.SCHEMA)
        .filter(BootstrappedPairs.TEXT_SOURCE + " = '" + BootstrappedPairs.TextSource.SYNTHETIC.value() + "'")
        .select(PairsSchema.URL, PairsSchema.CAPTION, PairsSchema.STATUS).collectAsList();
    Map<CaptionCheck.Verdict, Integer> verdicts = new EnumMap<>(CaptionCheck.Verdict.class);
    int right = 0;
    int kept = 0;
    int keptRight = 0;
    for (Row r : rows) {
      String url = r.getAs(PairsSchema.URL);
      List<Combo> objects = objectsByUrl.get(url);
      if (objects == null) {
        throw new IllegalArgumentException("synthetic caption of " + url + ": no scene for this URL in " + world
            + " (is the dataset from this world?)");
      }
      CaptionCheck.Verdict v = CaptionCheck.judge(objects, r.getAs(PairsSchema.CAPTION));
      verdicts.merge(v, 1, Integer::sum);
      boolean isRight = v == CaptionCheck.Verdict.RIGHT;
      boolean isKept = PairStatus.SUCCESS.value().equals(r.getAs(PairsSchema.STATUS));
      right += isRight ? 1 : 0;
      kept += isKept ? 1 : 0;
      keptRight += isRight && isKept ? 1 : 0;
    }
    return new Result(rows.size(), right, kept, keptRight, verdicts);
  }
}
