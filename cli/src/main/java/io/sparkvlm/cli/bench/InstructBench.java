package io.sparkvlm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.cli.Demo;
import io.sparkvlm.cli.bench.DemoRunAblation.Variant;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.spark.SparkSessions;
import io.sparkvlm.core.spark.SparkSettings;
import io.sparkvlm.eval.EvalJob;
import io.sparkvlm.eval.ScoreFiles;
import io.sparkvlm.instruct.InstructJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm bench instruct}: the LLaVA stages' baselines on a finished demo run. Stage 2 runs again with the demo's
 * settings and steps, once per baseline, and is evaluated on the same held-out split as the demo's instruction-tuned
 * model, whose scores (the demo's own report) are the first column. The demo's other settings (e.g. a nano run's
 * {@code --conf}) are not read back from the run: give them again with {@code --conf}. The baselines:
 * <ul>
 *   <li>{@code blind}: every image blank in training and in evaluation, so what is left is what the questions and
 *       the LM alone give (the demo's model has to beat it to be using the image);
 *   <li>{@code no-stage-1}: stage 2 from the CLIP and the LM directly, the connector starting fresh (LLaVA's
 *       ablation of stage 1).
 * </ul>
 */
public final class InstructBench {
  static final List<Variant> VARIANTS = List.of(
      new Variant("blind", List.of("instruct.image-input=blank", "eval.model.generation.image-input=blank")),
      new Variant("no-stage-1", List.of("instruct.start=towers")));

  static final String COMMAND = "vlm bench instruct";
  /** The first column: the demo's instruction-tuned model, as its own evaluation scored it. */
  static final String DEMO_MODEL = "images";

  private InstructBench() {}

  /** {@code overrides}: config keys on top of the demo's for every baseline, e.g. another training seed. */
  public static int run(Path demoRun, Path dir, List<String> only, List<String> overrides, Path json)
      throws Exception {
    Demo.Folders demo = new Demo.Folders(demoRun);
    Path demoScores = demo.instructReport().resolve(ScoreFiles.METRICS);
    if (!DemoRunAblation.finished(COMMAND, List.of(demo.align(), demo.clipRound1(), demo.lm(), demoScores))) {
      return JobLauncher.USAGE;
    }
    Optional<List<Variant>> chosen = DemoRunAblation.select(COMMAND, VARIANTS, only);
    if (chosen.isEmpty()) {
      return JobLauncher.USAGE;
    }
    BenchTable table = new BenchTable("LLaVA's baselines on the demo's world: stage 2 with the demo's settings, "
        + "evaluated on the held-out split (spark-vlm " + Versions.codeVersion() + ")");
    table.context("demo run", demoRun);
    // per model (the demo's, then each baseline): its evaluation's headline scores, and stage 2's seconds
    Map<String, JsonNode> scores = new LinkedHashMap<>();
    Map<String, Double> seconds = new LinkedHashMap<>();
    scores.put(DEMO_MODEL, Json.MAPPER.readTree(demoScores.toFile()));

    List<String> base = DemoRunAblation.settings(demoRun, overrides);
    table.context("overrides", overrides);
    SparkSession spark = SparkSessions.open(SparkSettings.from(new ConfigReader(Demo.pipelineConfig(base))));
    try {
      for (Variant v : chosen.get()) {
        long start = System.nanoTime();
        Path out = dir.resolve(v.name());
        Path report = out.resolve("report");
        List<String> o = new ArrayList<>(base);
        o.addAll(v.settings());
        o.addAll(List.of("instruct.output=" + out.resolve("instruct"), "eval.model.checkpoint="
            + out.resolve("instruct"), "eval.model.report=" + report));
        Config config = Demo.pipelineConfig(o);
        ConfigReader reader = new ConfigReader(config);
        InstructJob instruct = new InstructJob();
        JobLauncher.execute(instruct, spark, config, instruct.readConfig(reader));
        seconds.put(v.name(), (System.nanoTime() - start) / 1e9);
        EvalJob eval = new EvalJob();
        JobLauncher.execute(eval, spark, config, eval.readConfig(reader));
        scores.put(v.name(), Json.MAPPER.readTree(report.resolve(ScoreFiles.METRICS).toFile()));
      }
    } finally {
      spark.stop();
    }
    // a row per headline metric, a column per model, as the demo's summary prints its own
    scores.get(DEMO_MODEL).fieldNames().forEachRemaining(k -> {
      if (Demo.isInstructHeadline(k)) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("metric", k);
        scores.forEach((model, s) -> r.put(model, s.path(k).asDouble(Double.NaN)));
        table.add(r);
      }
    });
    Map<String, Object> time = new LinkedHashMap<>();
    time.put("metric", "stage 2 seconds");
    seconds.forEach(time::put);
    table.add(time);
    table.printAndWrite(json);
    return 0;
  }
}
