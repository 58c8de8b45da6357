package io.sparkvlm.eval.model;

import io.sparkvlm.training.executor.ExecutorEmbedder;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.clipeval.ClipEvalSets;
import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.clipeval.ClipEvaluator.Evaluation;
import io.sparkvlm.core.clipeval.ClipEvaluator.TaskOutcome;
import io.sparkvlm.core.config.ConfiguredFiles;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.eval.ScoreFiles;
import io.sparkvlm.eval.metrics.LinearProbe;
import io.sparkvlm.eval.report.HtmlReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm eval model}: a checkpoint on the configured suites, the model's work done on the executors, then the
 * report. A CLIP is evaluated by retrieval, zero-shot classification and linear probes on its embeddings; a
 * vision-language model by captioning and VQA on the text it generates.
 */
public final class ModelEvaluation {
  private static final Logger LOG = LoggerFactory.getLogger(ModelEvaluation.class);

  private ModelEvaluation() {}

  public static String run(SparkSession spark, EvalModelConfig c) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String checkpoint = resolve(c.checkpoint(), conf);
    CheckpointManifest manifest = Checkpoints.readManifest(checkpoint, conf);
    ModelArchitecture architecture = architecture(manifest, checkpoint);
    Tokenizer tokenizer = ModelCheckpoints.loadTokenizer(checkpoint, conf).orElseThrow(() ->
        new CheckpointError("Checkpoint " + checkpoint + " has no " + ModelCheckpoints.TOKENIZER));
    byte[] model = ModelCheckpoints.modelZip(checkpoint, conf);
    // a training run folder holds checkpoints/step-N/ and its metrics log
    org.apache.hadoop.fs.Path parent = new org.apache.hadoop.fs.Path(checkpoint).getParent();
    List<JsonNode> log = parent == null || parent.getParent() == null ? List.of()
        : readLog(parent.getParent().toString(), checkpoint, conf);
    if (architecture instanceof ModelArchitecture.Clip clip) {
      requireSuiteFiles(c, architecture, conf);
      return clip(spark, c, checkpoint, manifest, clip.shape(), tokenizer, model, log);
    }
    if (architecture instanceof ModelArchitecture.VisionLanguage vlm) {
      requireSuiteFiles(c, architecture, conf);
      return visionLanguage(spark, c, checkpoint, manifest, vlm.shape(),
          ModelCheckpoints.asBpe(tokenizer, checkpoint), model, log);
    }
    throw new CheckpointError("Checkpoint " + checkpoint + " is a " + architecture.name() + " model: vlm eval model "
        + "evaluates CLIP checkpoints (retrieval, zero-shot, linear probe) and vision-language checkpoints "
        + "(captioning, VQA)");
  }

  /**
   * Every suite file a model of this kind is evaluated on exists, checked before any work: a CLIP's retrieval,
   * zero-shot and probe-train files, a vision-language model's captions and VQA files. A missing one is an error
   * naming its suite's config key, the file and where it was looked for.
   */
  static void requireSuiteFiles(EvalModelConfig c, ModelArchitecture architecture, Configuration conf)
      throws IOException {
    for (int i = 0; i < c.suites().size(); i++) {
      EvalModelConfig.Suite suite = c.suites().get(i);
      List<String> files = new ArrayList<>();
      if (architecture instanceof ModelArchitecture.Clip) {
        suite.retrieval().ifPresent(files::add);
        files.addAll(suite.zeroShot());
        files.addAll(suite.probeTrain());
      } else {
        suite.captions().ifPresent(files::add);
        suite.vqa().ifPresent(v -> files.addAll(List.of(v.questions(), v.annotations(), v.images())));
      }
      ConfiguredFiles.requireAll("eval.model.suites[" + i + "]",
          files.stream().map(f -> new org.apache.hadoop.fs.Path(suite.root(), f)).toList(), conf);
    }
  }

  /**
   * The manifest's architecture; a checkpoint written before manifests recorded it is a CLIP whose preset is its
   * config's {@code pretrain.clip.model}.
   */
  static ModelArchitecture architecture(CheckpointManifest manifest, String checkpoint) {
    Optional<ModelArchitecture> recorded = ModelArchitecture.of(manifest, checkpoint);
    if (recorded.isPresent()) {
      return recorded.get();
    }
    JsonNode preset = manifest.config().path("pretrain").path("clip").path("model");
    if (!preset.isTextual()) {
      throw new CheckpointError("Checkpoint " + checkpoint + " does not say what model it is (its manifest has no "
          + "architecture and no config pretrain.clip.model)");
    }
    return new ModelArchitecture.Clip(ClipShape.preset(preset.asText()));
  }

  /** A vision-language model: captions and VQA answers generated on the executors and scored. */
  private static String visionLanguage(SparkSession spark, EvalModelConfig c, String checkpoint,
      CheckpointManifest manifest, VisionLanguageModel.Shape shape, BpeTokenizer tokenizer, byte[] model,
      List<JsonNode> log) throws IOException {
    Path report = Path.of(c.report());
    HtmlReport html = new HtmlReport("spark-vlm model evaluation: " + checkpoint + " (" + shape.name() + ", step "
        + manifest.step() + ")");
    ModelReport.addTrainingCurves(html, log, "Training loss (next-token cross-entropy)");
    Map<String, byte[]> resultsFiles = new LinkedHashMap<>();
    Map<String, Double> metrics = new GenerativeEvaluation(JavaSparkContext.fromSparkContext(spark.sparkContext()),
        model, shape, tokenizer, c, spark.sparkContext().hadoopConfiguration()).evaluate(html, resultsFiles);
    List<List<String>> rows = new ArrayList<>();
    metrics.forEach((k, v) -> rows.add(List.of(k, String.format("%.4f", v))));
    html.table("All metrics", List.of("metric", "value"), rows);
    html.table("Not evaluated", List.of("what", "why"), List.of(List.of("zero-shot classification, retrieval, "
        + "linear probe", "they need a CLIP's image and text embeddings: evaluate the CLIP checkpoint the "
        + "vision-language model was built from")));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "model");
    out.put("checkpoint", checkpoint);
    out.put("step", manifest.step());
    out.put("model", shape.name());
    out.putAll(metrics);
    ScoreFiles.write(out, html, resultsFiles, report);
    StringBuilder summary = new StringBuilder("report in " + report.resolve("report.html"));
    metrics.forEach((k, v) -> {
      if (GenerativeEvaluation.isHeadline(k)) {
        summary.append(", ").append(k).append(' ').append(String.format("%.3f", v));
      }
    });
    return summary.toString();
  }

  /** A CLIP: retrieval, zero-shot and linear probe on embeddings computed on the executors. */
  private static String clip(SparkSession spark, EvalModelConfig c, String checkpoint, CheckpointManifest manifest,
      ClipShape shape, Tokenizer tokenizer, byte[] model, List<JsonNode> log) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ExecutorEmbedder embedder = new ExecutorEmbedder(JavaSparkContext.fromSparkContext(spark.sparkContext()), model,
        shape, c.imagesPerTask());

    Map<String, Double> metrics = new LinkedHashMap<>();
    List<TaskOutcome> tasks = new ArrayList<>();
    Map<String, ProbeTrain> probeTrain = new LinkedHashMap<>();
    Optional<ClipEvaluator.RetrievalOutcome> retrieval = Optional.empty();
    for (EvalModelConfig.Suite suite : c.suites()) {
      ClipEvalSets sets = ClipEvalSets.read(suite.root(), suite.retrieval(), suite.zeroShot(), suite.probeTrain(),
          c.maxImages(), conf);
      LOG.info("eval model: suite {}: {} zero-shot tasks{}", suite.root(), sets.zeroShot().size(),
          sets.retrieval().map(r -> ", retrieval over " + r.images().size() + " images").orElse(""));
      Evaluation e = new ClipEvaluator(shape, tokenizer, sets, c.zeroShotTemplates()).evaluate(embedder);
      metrics.putAll(e.metrics());
      tasks.addAll(e.zeroShot());
      if (retrieval.isEmpty()) {
        retrieval = e.retrieval();
      }
      if (c.linearProbeMaxClasses() > 0) {
        for (ClipEvalSets.LabelledSet set : sets.probeTrain()) {
          LOG.info("eval model: embedding {} linear-probe training images of {}", set.images().size(), set.task());
          if (set.images().isEmpty()) {
            // recorded as linear_probe/TASK/train_on_test_half = 1, as for a task without a probe-train file
            LOG.warn("eval model: the linear-probe training set of {} is empty: the probe trains on half the test "
                + "images instead", set.task());
            continue;
          }
          probeTrain.put(set.task(), new ProbeTrain(embedder.images(set.images()), set.labels()));
        }
      }
    }
    Map<String, Map<String, Double>> probes = new LinkedHashMap<>();
    if (c.linearProbeMaxClasses() > 0) {
      for (TaskOutcome t : tasks) {
        if (t.task().classes().size() <= c.linearProbeMaxClasses() && t.imageEmbeddings().length >= 4) {
          probes.put(t.task().name(), probe(spark, t, probeTrain.get(t.task().name()), c.linearProbeReg()));
        }
      }
    }
    Evaluation all = new Evaluation(metrics, tasks, retrieval);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "model");
    out.put("checkpoint", checkpoint);
    out.put("step", manifest.step());
    out.put("model", manifest.model());
    out.put("zero_shot_templates", io.sparkvlm.core.config.ConfigReader.configName(c.zeroShotTemplates()));
    out.putAll(metrics);
    probes.forEach((task, p) -> p.forEach((k, v) -> out.put("linear_probe/" + task + "/" + k, v)));
    Path report = Path.of(c.report());
    ScoreFiles.write(out, ModelReport.build(checkpoint, manifest.step(), all, probes, log, c.gallery()), report);
    StringBuilder summary = new StringBuilder("report in " + report.resolve("report.html"));
    metrics.forEach((k, v) -> {
      if (ClipEvaluator.isHeadline(k)) {
        summary.append(", ").append(k).append(' ').append(String.format("%.3f", v));
      }
    });
    return summary.toString();
  }

  /** A checkpoint folder as given, or a run folder's newest complete checkpoint. */
  static String resolve(String location, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path manifest = new org.apache.hadoop.fs.Path(location, CheckpointManifest.FILE_NAME);
    if (manifest.getFileSystem(conf).exists(manifest)) {
      return location;
    }
    return Checkpoints.latestComplete(new org.apache.hadoop.fs.Path(location, "checkpoints").toString(), conf)
        .orElseThrow(() -> new CheckpointError("No checkpoint at " + location + ": it has no " + CheckpointManifest
            .FILE_NAME + " and no complete checkpoint under " + location + "/checkpoints"));
  }

  private static List<JsonNode> readLog(String runFolder, String checkpoint, Configuration conf) {
    try {
      return MetricsLog.read(runFolder, conf);
    } catch (IOException e) {
      LOG.warn("eval model: no training curves for {}: {}", checkpoint, e.getMessage());
      return List.of();
    }
  }

  /** A task's linear-probe training set, embedded. */
  record ProbeTrain(double[][] embeddings, int[] labels) {}

  /**
   * Logistic regression on frozen image embeddings: trained on the task's probe training set and tested on all its
   * test samples; without a training set, even-indexed test samples train and odd ones test. The metrics say which
   * ({@code train_samples}, {@code test_samples}, {@code train_on_test_half} 1 or 0).
   */
  private static Map<String, Double> probe(SparkSession spark, TaskOutcome t, ProbeTrain train, double reg) {
    List<double[]> trainX = new ArrayList<>();
    List<Integer> trainY = new ArrayList<>();
    List<double[]> testX = new ArrayList<>();
    List<Integer> testY = new ArrayList<>();
    for (int i = 0; i < t.imageEmbeddings().length; i++) {
      boolean toTrain = train == null && i % 2 == 0;
      (toTrain ? trainX : testX).add(t.imageEmbeddings()[i]);
      (toTrain ? trainY : testY).add(t.task().labels()[i]);
    }
    if (train != null) {
      trainX.addAll(List.of(train.embeddings()));
      for (int label : train.labels()) {
        trainY.add(label);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>(LinearProbe.evaluate(
        LinearProbe.frame(spark, trainX.toArray(double[][]::new), trainY.stream().mapToInt(Integer::intValue).toArray()),
        LinearProbe.frame(spark, testX.toArray(double[][]::new), testY.stream().mapToInt(Integer::intValue).toArray()),
        t.task().classes().size(), reg));
    out.put("train_samples", (double) trainX.size());
    out.put("test_samples", (double) testX.size());
    out.put("train_on_test_half", train == null ? 1.0 : 0.0);
    return out;
  }
}
