package io.sparkvlm.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.cli.Demo;
import io.sparkvlm.cli.SyntheticCaptionQuality;
import io.sparkvlm.cli.bench.DemoRunAblation.Variant;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.spark.SparkSessions;
import io.sparkvlm.core.spark.SparkSettings;
import io.sparkvlm.eval.ScoreFiles;
import io.sparkvlm.eval.metrics.FilterQuality;
import io.sparkvlm.filter.CapFilt;
import io.sparkvlm.filter.FilterCounts;
import io.sparkvlm.filter.FilterJob;
import io.sparkvlm.pretrain.PretrainClipJob;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm bench filter}: BLIP's ablation (Table 1) on a finished demo run. Each way of bootstrapping the web
 * pairs (CapFilt, filter only, captioner only, the CLIP-score baseline, and nothing dropped) runs the filter stage
 * with the demo's settings and the demo's round-0 CLIP and LM, is scored against the world's noise labels, and
 * trains a round-1 CLIP on its output for as many steps as round 0 had. Every round 1 starts from scratch with the
 * same seed, so the rows differ only in their training data.
 */
public final class FilterBench {
  static final String COMMAND = "vlm bench filter";
  /** The ways to bootstrap, each with its settings on top of the demo's. */
  static final List<Variant> VARIANTS = List.of(
      new Variant("capfilt", List.of("filter.mode=capfilt")),
      new Variant("filter-only", List.of("filter.mode=filter-only")),
      new Variant("captioner-only", List.of("filter.mode=captioner-only")),
      new Variant("clip-score-top-30%", List.of("filter.mode=clip-score", "filter.clip-score.top-fraction=0.3")),
      // the control: every web text and the seed pairs, nothing dropped, no synthetic caption
      new Variant("nothing-dropped", List.of("filter.mode=clip-score", "filter.clip-score.top-fraction=1")));

  private FilterBench() {}

  /** {@code overrides}: config keys on top of the demo's for every variant, e.g. another training seed. */
  public static int run(Path demoRun, Path dir, List<String> only, List<String> overrides, Path json)
      throws Exception {
    Demo.Folders demo = new Demo.Folders(demoRun);
    Configuration conf = new Configuration();
    if (!DemoRunAblation.finished(COMMAND, List.of(demo.world().resolve(SyntheticWorld.WEB_TRUTH), demo.clip(),
        demo.lm(), demo.pairs()))) {
      return JobLauncher.USAGE;
    }
    Optional<List<Variant>> chosen = DemoRunAblation.select(COMMAND, VARIANTS, only);
    if (chosen.isEmpty()) {
      return JobLauncher.USAGE;
    }
    List<JsonNode> round0Log = MetricsLog.read(demo.clip().toString(), conf);
    JsonNode round0 = round0Log.get(round0Log.size() - 1);
    int steps = round0.get("step").asInt();
    BenchTable table = new BenchTable("BLIP's ablation on the demo's world: round-1 CLIPs of " + steps
        + " steps each (spark-vlm " + Versions.codeVersion() + ")");
    table.context("demo run", demoRun);
    table.context("web pairs", Datasets.readManifest(demo.pairs().toString(), conf).rows().byStatus());
    Map<String, Object> r0 = new LinkedHashMap<>();
    r0.put("training data", "round 0: the raw web pairs");
    round1Metrics(r0, round0);
    table.add(r0);

    List<String> base = DemoRunAblation.settings(demoRun, overrides);
    table.context("overrides", overrides);
    SparkSession spark = SparkSessions.open(SparkSettings.from(new ConfigReader(Demo.pipelineConfig(base))));
    try {
      for (Variant v : chosen.get()) {
        long start = System.nanoTime();
        Path out = dir.resolve(v.name());
        List<String> o = new ArrayList<>(base);
        o.addAll(v.settings());
        o.addAll(List.of("filter.run=" + out.resolve("filter"), "filter.output=" + out.resolve("bootstrapped")));
        o.addAll(Demo.round1Settings(out.resolve("bootstrapped"), out.resolve("clip-r1"), steps));
        Config config = Demo.pipelineConfig(o);
        ConfigReader reader = new ConfigReader(config);
        FilterJob filter = new FilterJob();
        JobLauncher.execute(filter, spark, config, filter.readConfig(reader));
        double filterSeconds = (System.nanoTime() - start) / 1e9;
        FilterQuality.Result quality = ScoreFiles.filter(out.resolve("filter").resolve(CapFilt.DECISIONS).toString(),
            demo.world().resolve(SyntheticWorld.WEB_TRUTH).toString()).score();
        FilterCounts counts = CapFilt.readCounts(out.resolve("filter").toString(), conf);
        SyntheticCaptionQuality.Result synthetic = SyntheticCaptionQuality.of(spark,
            out.resolve("bootstrapped").toString(), demo.world());
        PretrainClipJob pretrain = new PretrainClipJob();
        JobLauncher.execute(pretrain, spark, config, pretrain.readConfig(reader));
        List<JsonNode> log = MetricsLog.read(out.resolve("clip-r1").toString(), conf);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("training data", v.name());
        r.put("web kept", counts.webKept());
        r.put("synthetic kept", counts.syntheticKept());
        // the share of synthetic captions right about their scene, all of them and the kept ones (NaN: none)
        r.put("synthetic right", synthetic.rightShare());
        r.put("kept synthetic right", synthetic.keptRightShare());
        r.put("web precision", quality.precision());
        r.put("web recall", quality.recall());
        round1Metrics(r, log.get(log.size() - 1));
        r.put("filter s", filterSeconds);
        table.add(r);
        System.err.println(table.render());
      }
    } finally {
      spark.stop();
    }
    table.printAndWrite(json);
    return 0;
  }

  private static void round1Metrics(Map<String, Object> row, JsonNode last) {
    for (String k : Demo.ROUND_METRICS) {
      row.put(k, last.path(k).asDouble(Double.NaN));
    }
  }
}
