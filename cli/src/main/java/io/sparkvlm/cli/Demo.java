package io.sparkvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.spark.SparkSessions;
import io.sparkvlm.core.spark.SparkSettings;
import io.sparkvlm.detect.DetectJob;
import io.sparkvlm.detect.TrainDetectorJob;
import io.sparkvlm.eval.EvalJob;
import io.sparkvlm.eval.ScoreFiles;
import io.sparkvlm.eval.metrics.FilterQuality;
import io.sparkvlm.filter.CapFilt;
import io.sparkvlm.filter.FilterConfig;
import io.sparkvlm.filter.FilterJob;
import io.sparkvlm.instruct.AlignJob;
import io.sparkvlm.instruct.InstructJob;
import io.sparkvlm.pretrain.PretrainClipJob;
import io.sparkvlm.pretrain.PretrainLmJob;
import io.sparkvlm.synth.SyntheticWorld;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm demo}: every stage of the pipeline on the embedded synthetic world, locally:
 * generate the world, serve its simulated web on 127.0.0.1, ingest it, pretrain a tiny CLIP on the pairs (with
 * zero-shot and retrieval evaluation on the world's held-out test split), evaluate it on the executors into an
 * HTML report, pretrain a tiny decoder LM on the captions and instruction text, bootstrap the pairs with CapFilt
 * (captioner and filter fine-tuned on the seed split) and score the CLIP-score baseline's decisions, pretrain a
 * round-1 CLIP on the bootstrapped pairs for as many steps as round 0, run both LLaVA stages on the round-1 vision
 * tower and evaluate the result, train an open-vocabulary detector on the round-1 CLIP, and summarise: ingest status
 * counts against the faults the web injected, the model's headline numbers, the LM's held-out perplexity, the
 * filter's precision and recall against the world's noise labels, round 1 against round 0. The ablations that
 * train more models (BLIP's, LLaVA's baselines, the fusion comparison) run apart on a finished demo run, and the
 * demo names them.
 */
public final class Demo {
  static final List<String> APART = List.of(
      "BLIP's ablation (captioner only, filter only, CLIP-score, nothing dropped), each followed by a round-1 CLIP: "
          + "./vlm bench filter (docs/stages/filter.md)",
      "LLaVA's baselines (stage 2 blind; stage 2 without stage 1), evaluated as the demo's model: "
          + "./vlm bench instruct (docs/stages/instruct-tune.md)",
      "Flamingo's gated cross-attention against prefix fusion runs apart: scripts/bench/compare_fusion.sh "
          + "(docs/stages/instruct-tune.md)");
  /**
   * The round-0 CLIP's learning rate, on the raw web pairs. Measured over three seeds (docs/stages/pretrain.md): 1e-3
   * gives a slightly better CLIP on average, but the CLIP that scores its own noisy pairs for the filter is the
   * demo's 5e-4 one, whose CapFilt kept more of the right captions.
   */
  static final String ROUND_0_LEARNING_RATE = "5e-4";
  /**
   * The round-1 CLIPs' learning rate, on the bootstrapped (cleaner) pairs: better than 5e-4 on each of three seeds
   * (zero-shot colour 0.892 against 0.816 on average, mean R@5 0.517 against 0.495; docs/stages/pretrain.md).
   */
  static final String ROUND_1_LEARNING_RATE = "1e-3";
  /** The demo's VQA instruction, after each question in stage 2 and in evaluation (see {@link #settings}). */
  static final String VQA_INSTRUCTION = "One word.";
  /** The VQA question type of the world's reading questions ("What word is written in the image?"). */
  static final String OCR_QUESTION_TYPE = "what word is";
  /** The CLIP evaluation numbers the demo puts side by side for round 0 and round 1 (the training logs' keys). */
  public static final List<String> ROUND_METRICS = List.of("zeroshot/colour/acc1", "zeroshot/shape/acc1",
      "retrieval/mean_recall@1", "retrieval/mean_recall@5");

  private Demo() {}

  /** Where a demo run under {@code out} keeps each stage's output. */
  public record Folders(Path out) {
    public Path world() {
      return out.resolve("synth");
    }

    public Path pairs() {
      return out.resolve("pairs");
    }

    public Path clip() {
      return out.resolve("clip");
    }

    /** The detector trained on the round-1 CLIP (vlm detect train). */
    public Path detector() {
      return out.resolve("detector");
    }

    /** Its detections over the test images (vlm detect dataset): a folder holding COCO results. */
    public Path detectionResults() {
      return out.resolve("reports/detection-results");
    }

    public Path clipRound1() {
      return out.resolve("clip-r1");
    }

    public Path report() {
      return out.resolve("reports/model");
    }

    public Path lm() {
      return out.resolve("lm");
    }

    public Path filterRun() {
      return out.resolve("filter");
    }

    public Path bootstrapped() {
      return out.resolve("bootstrapped");
    }

    public Path align() {
      return out.resolve("align");
    }

    public Path instruct() {
      return out.resolve("instruct");
    }

    /** The instruction-tuned model's evaluation (vlm eval model): captions and VQA on the held-out split. */
    public Path instructReport() {
      return out.resolve("reports/instruct");
    }
  }

  /**
   * The instruction-tuned model's headline scores among an evaluation's metrics: VQA accuracy overall, per answer
   * type and on the reading questions, and CIDEr-D of each caption set.
   */
  public static boolean isInstructHeadline(String key) {
    return key.startsWith("vqa/") && (key.endsWith("accuracy") || key.contains("/answer_type/")
        || key.endsWith("/question_type/" + OCR_QUESTION_TYPE))
        || key.startsWith("captioning/") && key.endsWith("/CIDEr");
  }

  /**
   * The demo's settings for a run under {@code out}: the world of {@code scenes} scenes served on {@code port}, the
   * tiny presets and their step budgets, every stage reading and writing under {@code out} ({@link Folders}).
   */
  public static List<String> settings(Path out, int scenes, int port) {
    Folders f = new Folders(out);
    List<String> overrides = new ArrayList<>(List.of("paths.root=" + out));
    overrides.addAll(LocalWorld.synthAndIngestSettings(f.world(), f.pairs(), scenes, port));
    overrides.addAll(List.of(
        "pretrain.clip.input=" + f.pairs(), "pretrain.clip.output=" + f.clip(), "pretrain.clip.model=tiny-patch-max",
        "pretrain.clip.epochs=8", "pretrain.clip.checkpoint-every-steps=50", "pretrain.clip.eval.every-steps=50",
        "pretrain.clip.optimiser.learning-rate=" + ROUND_0_LEARNING_RATE, "pretrain.clip.optimiser.warmup-steps=20",
        "eval.model.checkpoint=" + f.clip(), "eval.model.report=" + f.report(),
        "pretrain.lm.input=" + f.pairs(), "pretrain.lm.output=" + f.lm(), "pretrain.lm.model=lm-tiny",
        "pretrain.lm.instructions=" + f.world().resolve(SyntheticWorld.INSTRUCT), "pretrain.lm.epochs=5",
        "pretrain.lm.batch-size-per-worker=16", "pretrain.lm.optimiser.warmup-steps=20",
        "pretrain.lm.eval.every-steps=50", "pretrain.lm.optimiser.learning-rate=3e-3",
        "filter.input=" + f.pairs(), "filter.clip=" + f.clip(), "filter.lm=" + f.lm(),
        "filter.run=" + f.filterRun(), "filter.output=" + f.bootstrapped(), "filter.seed.root=" + f.world(),
        "filter.captioner.epochs=8", "filter.matcher.epochs=4", "filter.captions.max-tokens=16",
        "filter.captioner.checkpoint-every-steps=50", "filter.matcher.checkpoint-every-steps=50",
        // a patch-max tower's patch tokens read centred on their image's mean (docs/stages/instruct-tune.md)
        "filter.captioner.vision-select-feature=patch-centred", "align.vision-select-feature=patch-centred",
        "align.input=" + f.pairs(), "align.clip=" + f.clipRound1(), "align.lm=" + f.lm(),
        "align.output=" + f.align(), "align.epochs=3", "align.checkpoint-every-steps=50",
        "instruct.from=" + f.align(), "instruct.output=" + f.instruct(), "instruct.root=" + f.world(),
        "instruct.epochs=10", "instruct.checkpoint-every-steps=50", "instruct.optimiser.learning-rate=3e-3",
        // the head alone on the frozen round-1 tower: the never-boxed combinations keep what the CLIP knows of them
        // (AP50 0.128 / 0.091 against 0.078 / 0.055 fine-tuning all, seeds 47 / 48; docs/stages/detect.md)
        "detect.train.clip=" + f.clipRound1(), "detect.train.output=" + f.detector(), "detect.train.trainable=head",
        "detect.train.epochs=60", "detect.train.checkpoint-every-steps=100",
        "detect.dataset.output=" + f.detectionResults(),
        // lm-tiny's 32-token context has no room for LLaVA-1.5's VQA instruction (24 tokens with the demo's
        // tokenizer); a short one (5) still tells a VQA question from the same question in a conversation, which is
        // answered with a sentence. Asked the same way in training and in evaluation.
        "instruct.vqa.instruction=\"" + VQA_INSTRUCTION + "\"",
        "eval.model.generation.vqa-instruction=\"" + VQA_INSTRUCTION + "\"",
        "output.overwrite=true"));
    return overrides;
  }

  /**
   * The round-1 CLIP's settings on top of the demo's: trained on {@code input} for {@code steps}, into {@code out},
   * at {@link #ROUND_1_LEARNING_RATE}.
   */
  public static List<String> round1Settings(Path input, Path out, int steps) {
    return List.of("pretrain.clip.input=" + input, "pretrain.clip.output=" + out, "pretrain.clip.epochs=1000",
        "pretrain.clip.max-steps=" + steps, "pretrain.clip.optimiser.learning-rate=" + ROUND_1_LEARNING_RATE);
  }

  static int run(Path out, int scenes, List<String> extraOverrides) throws Exception {
    StepClock steps = new StepClock(System.nanoTime());
    Folders folders = new Folders(out);
    Path world = folders.world();
    Path pairs = folders.pairs();
    Path clip = folders.clip();
    Path clipRound1 = folders.clipRound1();
    Path report = folders.report();
    Path lm = folders.lm();
    Path filterRun = folders.filterRun();
    Path bootstrapped = folders.bootstrapped();
    Path instruct = folders.instruct();
    Path instructReport = folders.instructReport();
    int port = LocalWorld.freePort();
    List<String> overrides = settings(out, scenes, port);
    overrides.addAll(extraOverrides);
    Config config = pipelineConfig(overrides);
    ConfigReader reader = new ConfigReader(config);
    // the second evaluation: the instruction-tuned model's captions and VQA answers on the same held-out split
    List<String> instructEval = new ArrayList<>(overrides);
    instructEval.addAll(List.of("eval.model.checkpoint=" + instruct, "eval.model.report=" + instructReport));
    Config instructConfig = pipelineConfig(instructEval);
    SparkSession spark = SparkSessions.open(SparkSettings.from(reader));
    try {
      steps.next("1-2/11 synth and ingest", "generating " + scenes + " scenes into " + world + ", then downloading "
          + "the web split from the simulated web at http://127.0.0.1:" + port);
      DatasetManifest manifest = LocalWorld.synthAndIngest(spark, config, world, pairs);

      steps.next("3/11 pretrain clip", "a tiny CLIP on the successful pairs, data-parallel with DL4J Spark");
      PretrainClipJob pretrain = new PretrainClipJob();
      JobLauncher.execute(pretrain, spark, config, pretrain.readConfig(reader));
      List<JsonNode> metrics = MetricsLog.read(clip.toString(), new Configuration());
      JsonNode last = metrics.get(metrics.size() - 1);

      steps.next("4/11 eval model", "the final checkpoint on the held-out sets, embeddings on the executors");
      EvalJob eval = new EvalJob();
      JobLauncher.execute(eval, spark, config, eval.readConfig(reader));
      JsonNode scores = io.sparkvlm.core.io.Json.MAPPER.readTree(report.resolve(ScoreFiles.METRICS).toFile());

      steps.next("5/11 pretrain lm", "a tiny decoder LM on the captions and the instruction text");
      PretrainLmJob pretrainLm = new PretrainLmJob();
      JobLauncher.execute(pretrainLm, spark, config, pretrainLm.readConfig(reader));
      List<JsonNode> lmLog = MetricsLog.read(lm.toString(), new Configuration());
      JsonNode lmLast = lmLog.get(lmLog.size() - 1);

      steps.next("6/11 filter", "BLIP's CapFilt with that CLIP and LM, captions and scores on the executors; then the "
          + "CLIP-score baseline");
      FilterJob filter = new FilterJob();
      FilterConfig filterSettings = filter.readConfig(reader);
      String filterSummary = JobLauncher.execute(filter, spark, config, filterSettings).summary();
      FilterQuality.Result quality = ScoreFiles.filter(filterRun.resolve(CapFilt.DECISIONS).toString(),
          world.resolve(SyntheticWorld.WEB_TRUTH).toString()).score();
      SyntheticCaptionQuality.Result synthetic = SyntheticCaptionQuality.of(spark, bootstrapped.toString(), world);
      // the baseline users know (LAION, DataComp): the round-0 CLIP's cosine, its top 30% of web texts kept
      Path clipScoreRun = out.resolve("filter-clip-score");
      List<String> clipScore = new ArrayList<>(overrides);
      clipScore.addAll(List.of("filter.mode=clip-score", "filter.run=" + clipScoreRun,
          "filter.output=" + out.resolve("bootstrapped-clip-score")));
      Config clipScoreConfig = pipelineConfig(clipScore);
      FilterConfig clipScoreSettings = filter.readConfig(new ConfigReader(clipScoreConfig));
      JobLauncher.execute(filter, spark, clipScoreConfig, clipScoreSettings);
      FilterQuality.Result baseline = ScoreFiles.filter(clipScoreRun.resolve(CapFilt.DECISIONS).toString(),
          world.resolve(SyntheticWorld.WEB_TRUTH).toString()).score();

      steps.next("7/11 pretrain clip round 1", "the same CLIP on the bootstrapped pairs, as many steps as round 0 "
          + "at learning rate " + ROUND_1_LEARNING_RATE + " (round 0: " + ROUND_0_LEARNING_RATE + ")");
      int round0Steps = last.get("step").asInt();
      List<String> round1Run = new ArrayList<>(overrides);
      round1Run.addAll(round1Settings(bootstrapped, clipRound1, round0Steps));
      Config round1Config = pipelineConfig(round1Run);
      JobLauncher.execute(pretrain, spark, round1Config, pretrain.readConfig(new ConfigReader(round1Config)));
      List<JsonNode> round1Log = MetricsLog.read(clipRound1.toString(), new Configuration());
      JsonNode round1 = round1Log.get(round1Log.size() - 1);

      steps.next("8/11 align", "LLaVA stage 1, the connector alone trained between the frozen CLIP vision tower and "
          + "LM");
      AlignJob alignJob = new AlignJob();
      JobLauncher.execute(alignJob, spark, config, alignJob.readConfig(reader));
      steps.next("9/11 instruct", "LLaVA stage 2, connector and LM on the conversations and short-answer VQA");
      InstructJob instructJob = new InstructJob();
      String instructSummary = JobLauncher.execute(instructJob, spark, config, instructJob.readConfig(reader))
          .summary();
      steps.next("10/11 eval model", "the instruction-tuned model's captions and VQA answers, generated on the "
          + "executors");
      JobLauncher.execute(eval, spark, instructConfig, eval.readConfig(new ConfigReader(instructConfig)));
      JsonNode instructScores = io.sparkvlm.core.io.Json.MAPPER.readTree(instructReport.resolve(ScoreFiles.METRICS)
          .toFile());
      steps.next("11/11 detect", "an OWL-ViT-style detector on the round-1 CLIP, trained on the boxed combinations; "
          + "then every combination asked of every test image on the executors, scored as pycocotools does");
      TrainDetectorJob trainDetector = new TrainDetectorJob();
      String detectorSummary = JobLauncher.execute(trainDetector, spark, config, trainDetector.readConfig(reader))
          .summary();
      DetectJob detectJob = new DetectJob();
      JobLauncher.execute(detectJob, spark, config, detectJob.readConfig(reader));
      String testInstances = world.resolve(SyntheticWorld.DETECTION_TEST).toString();
      io.sparkvlm.eval.DetectionResults detections = ScoreFiles.detection(testInstances,
          folders.detectionResults().resolve(DetectJob.RESULTS).toString());
      Path detectionReport = out.resolve("reports/detection");
      ScoreFiles.write(detections.metrics(), ScoreFiles.detectionReport(detections, testInstances), detectionReport);

      steps.finish();
      StringBuilder s = new StringBuilder("\n=== spark-vlm demo: done in ").append(String.format("%.0f",
          steps.totalSeconds())).append(" s ===\n");
      s.append("seconds per step:\n");
      steps.seconds().forEach((step, sec) -> s.append(String.format("  %-60s %6.0f%n", step, sec)));
      s.append("synthetic world: ").append(world).append(" (docs/synthetic-world.md)\n");
      s.append("pairs dataset:   ").append(pairs).append(" (").append(manifest.rows().total()).append(" rows)\n");
      s.append("ingest status counts (every URL accounted for):\n");
      Map<String, Long> byStatus = new TreeMap<>(manifest.rows().byStatus());
      byStatus.forEach((k, v) -> s.append(String.format("  %-20s %6d%n", k, v)));
      s.append("faults the simulated web injected: ").append(faults(world)).append('\n');
      s.append("CLIP checkpoints: ").append(clip.resolve("checkpoints")).append('\n');
      s.append("training curve:   ").append(clip.resolve(MetricsLog.FILE_NAME)).append(" (")
          .append(last.get("step").asInt()).append(" steps, final loss ")
          .append(String.format("%.3f", last.get("loss").asDouble())).append(")\n");
      s.append("report:           ").append(report.resolve("report.html")).append(" (also report.md, metrics.json)\n");
      s.append("held-out evaluation (synthetic test split):\n");
      scores.fields().forEachRemaining(e -> {
        String k = e.getKey();
        if (io.sparkvlm.core.clipeval.ClipEvaluator.isHeadline(k)) {
          s.append(String.format("  %-36s %.3f%n", k, e.getValue().asDouble()));
        }
      });
      s.append("language model:   ").append(lm.resolve("checkpoints")).append(" (")
          .append(lmLast.get("step").asInt()).append(" steps, held-out perplexity ")
          .append(String.format("%.2f", lmLast.path("heldout/perplexity").asDouble(Double.NaN))).append(")\n");
      s.append("filter:           ").append(filterSummary).append('\n');
      s.append("  kept web captions against the noise labels: ").append(quality.kept() == 0
          ? String.format("none kept of %d, so no precision; recall 0", quality.decisions())
          : String.format("%d of %d kept, precision %.3f, recall %.3f", quality.kept(), quality.decisions(),
              quality.precision(), quality.recall()))
          .append(filterSettings.matcher().head() == MatchingModel.Head.FUSED_AND_ITC
              ? " (at this size the matcher's decisions are those of the round-0 CLIP's calibrated cosine, which its "
                  + "head starts from: docs/stages/filter.md)\n"
              : " (BLIP's head alone learns only its batches' prior at this size: docs/stages/filter.md)\n");
      s.append(synthetic.generated() == 0 ? "  no synthetic captions in this mode\n"
          : String.format("  synthetic captions right about their scene (colours, shapes, counts): %d of %d "
              + "(%.3f); of the kept ones %d of %d (%.3f)%n    the first thing each of the others gets wrong: %s%n",
              synthetic.right(), synthetic.generated(), synthetic.rightShare(), synthetic.keptRight(),
              synthetic.kept(), synthetic.keptRightShare(), synthetic.problems()));
      s.append(String.format("  the CLIP-score baseline (round-0 cosine, top %.0f%% kept): precision %.3f, recall "
          + "%.3f%n", 100 * clipScoreSettings.clipScore().topFraction(),
          baseline.precision(), baseline.recall()));
      s.append(String.format("CLIP round 1 on the bootstrapped pairs (%s), %d steps as round 0, learning rate %s "
          + "(round 0: %s; both from their training logs' last evaluation):%n", clipRound1.resolve("checkpoints"),
          round1.get("step").asInt(), ROUND_1_LEARNING_RATE, ROUND_0_LEARNING_RATE));
      s.append(String.format("  %-36s %9s %9s%n", "", "round 0", "round 1"));
      for (String k : ROUND_METRICS) {
        s.append(String.format("  %-36s %9.3f %9.3f%n", k, last.path(k).asDouble(Double.NaN),
            round1.path(k).asDouble(Double.NaN)));
      }
      s.append("instruction-tuned model: ").append(instruct.resolve("checkpoints")).append('\n');
      s.append("  ").append(instructSummary).append('\n');
      s.append("  report: ").append(instructReport.resolve("report.html")).append('\n');
      s.append("  ask it: ./vlm chat --checkpoint ").append(instruct).append(" --image IMAGE \"What color is the "
          + "star?\"\n");
      instructScores.fields().forEachRemaining(e -> {
        if (isInstructHeadline(e.getKey())) {
          s.append(String.format("  %-44s %9.3f%n", e.getKey(), e.getValue().asDouble()));
        }
      });
      s.append("  beside its baselines (blind; without stage 1): ./vlm bench instruct --run ").append(out)
          .append('\n');
      s.append("detector:         ").append(detectorSummary).append('\n');
      s.append("  report: ").append(detectionReport.resolve("report.html")).append(" (boxes drawn)\n");
      s.append("  ask it: ./vlm detect --checkpoint ").append(folders.detector()).append(" --image IMAGE \"red star\" "
          + "\"blue circle\"\n");
      s.append(String.format("  %-44s %9.3f (AP@[.5:.95] %.3f)%n", "category AP50 (7 shapes)",
          detections.byCategory().ap50(), detections.byCategory().ap()));
      detections.byGroup().forEach((group, r) -> s.append(String.format("  %-44s %9.3f%n",
          group.name().toLowerCase(java.util.Locale.ROOT) + " combinations AP50", r.ap50())));
      s.append("run apart on this run:\n");
      APART.forEach(m -> s.append("  - ").append(m).append('\n'));
      System.out.print(s);
      return JobLauncher.OK;
    } finally {
      spark.stop();
    }
  }

  /** conf/pipeline.conf with {@code overrides} on top. */
  public static Config pipelineConfig(List<String> overrides) {
    return ConfigLoader.load(new ConfigSources(List.of("classpath:conf/pipeline.conf"), overrides));
  }

  private static String faults(Path world) throws Exception {
    var manifest = io.sparkvlm.core.io.Json.MAPPER.readTree(world.resolve(SyntheticWorld.MANIFEST).toFile());
    return manifest.get("web_faults").toString();
  }

  /**
   * The demo's steps as they start: each announced with the time so far, and the seconds each took (from its start
   * to the next one's), by its label ("3/11 pretrain clip"), for the summary.
   */
  private static final class StepClock {
    private final long start;
    private final Map<String, Double> seconds = new java.util.LinkedHashMap<>();
    private String current;
    private long currentStart;

    StepClock(long start) {
      this.start = start;
      this.currentStart = start;
    }

    void next(String label, String what) {
      finish();
      long now = System.nanoTime();
      System.err.printf("%n>>> demo [%.0f s] %s: %s%n", (now - start) / 1e9, label, what);
      current = label;
      currentStart = now;
    }

    void finish() {
      if (current != null) {
        seconds.put(current, (System.nanoTime() - currentStart) / 1e9);
        current = null;
      }
    }

    double totalSeconds() {
      return (System.nanoTime() - start) / 1e9;
    }

    Map<String, Double> seconds() {
      return seconds;
    }
  }
}
