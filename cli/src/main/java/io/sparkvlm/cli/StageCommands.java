package io.sparkvlm.cli;

import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.eval.EvalJob;
import io.sparkvlm.filter.FilterJob;
import io.sparkvlm.ingest.IngestJob;
import io.sparkvlm.instruct.AlignJob;
import io.sparkvlm.instruct.InstructJob;
import io.sparkvlm.pretrain.PretrainClipJob;
import io.sparkvlm.pretrain.PretrainLmJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * One subcommand per pipeline stage. Each hands its options to the stage's main class, the same entry point
 * spark-submit uses, so {@code vlm ingest ...} and {@code spark-submit --class io.sparkvlm.ingest.IngestJob ...}
 * behave identically.
 */
final class StageCommands {
  private StageCommands() {}

  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = "Download and validate web image-text pairs into a Parquet dataset (IngestJob).")
  static final class Ingest implements Callable<Integer> {
    @Mixin JobOptions options;

    @picocli.CommandLine.Option(names = "--retry-failed",
        description = "retry the failed_to_download rows of completed shards (ingest.retry-failed=true)")
    boolean retryFailed;

    @Override
    public Integer call() {
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(options.toJobArgs()));
      if (retryFailed) {
        args.addAll(java.util.List.of("--conf", "ingest.retry-failed=true"));
      }
      return IngestJob.run(args.toArray(String[]::new));
    }
  }

  @Command(name = "filter", mixinStandardHelpOptions = true,
      description = "Bootstrap the pairs with a BLIP-style captioner and filter (FilterJob).")
  static final class Filter implements Callable<Integer> {
    @Mixin JobOptions options;

    @Override
    public Integer call() {
      return FilterJob.run(options.toJobArgs());
    }
  }

  @Command(name = "pretrain", mixinStandardHelpOptions = true,
      description = "Pretrain a model on Spark: clip (contrastive) or lm (causal language model).",
      subcommands = {Pretrain.Clip.class, Pretrain.Lm.class})
  static final class Pretrain implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(System.err);
      return JobLauncher.USAGE;
    }

    @Command(name = "clip", mixinStandardHelpOptions = true,
        description = "Data-parallel CLIP contrastive pretraining (PretrainClipJob).")
    static final class Clip implements Callable<Integer> {
      @Mixin JobOptions options;

      @Override
      public Integer call() {
        return PretrainClipJob.run(options.toJobArgs());
      }
    }

    @Command(name = "lm", mixinStandardHelpOptions = true,
        description = "Causal language-model pretraining of the decoder (PretrainLmJob).")
    static final class Lm implements Callable<Integer> {
      @Mixin JobOptions options;

      @Override
      public Integer call() {
        return PretrainLmJob.run(options.toJobArgs());
      }
    }
  }

  @Command(name = "align", mixinStandardHelpOptions = true,
      description = "LLaVA stage 1: train the projector between a frozen vision encoder and LM (AlignJob).")
  static final class Align implements Callable<Integer> {
    @Mixin JobOptions options;

    @Override
    public Integer call() {
      return AlignJob.run(options.toJobArgs());
    }
  }

  @Command(name = "instruct", mixinStandardHelpOptions = true,
      description = "LLaVA stage 2: visual instruction tuning of projector and LM (InstructJob).")
  static final class Instruct implements Callable<Integer> {
    @Mixin JobOptions options;

    @Override
    public Integer call() {
      return InstructJob.run(options.toJobArgs());
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Score predictions in standard formats (captions, vqa, detection), a filter's decisions "
          + "(filter), or evaluate a model (model).",
      subcommands = {Eval.Captions.class, Eval.Vqa.class, Eval.Detection.class, Eval.Filter.class, Eval.Model.class})
  static final class Eval implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(System.err);
      return JobLauncher.USAGE;
    }

    /** Loads and scores ({@code load}), then writes the metrics and the report of what was loaded. */
    static <T> int report(java.util.function.Supplier<T> load,
        java.util.function.Function<T, java.util.Map<String, Object>> metrics,
        java.util.function.Function<T, io.sparkvlm.eval.report.HtmlReport> html, java.nio.file.Path out) {
      try {
        T loaded = load.get();
        System.out.print(io.sparkvlm.eval.ScoreFiles.write(metrics.apply(loaded), html.apply(loaded), out));
        System.out.println("\nwrote " + out.resolve(io.sparkvlm.eval.ScoreFiles.METRICS) + ", "
            + out.resolve("report.md") + " and " + out.resolve("report.html"));
        return JobLauncher.OK;
      } catch (IllegalArgumentException e) {
        System.err.println("eval: " + e.getMessage());
        return JobLauncher.USAGE;
      } catch (java.io.IOException e) {
        System.err.println("eval: " + e.getMessage());
        return JobLauncher.FAILED;
      }
    }

    @Command(name = "captions", mixinStandardHelpOptions = true,
        description = "BLEU-1..4, ROUGE-L and CIDEr-D of COCO-format caption results, as pycocoevalcap computes them.")
    static final class Captions implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--results", required = true, description = "[{image_id, caption}]")
      String results;

      @picocli.CommandLine.Option(names = "--annotations", required = true, description = "COCO caption annotations")
      String annotations;

      @picocli.CommandLine.Option(names = "--out", description = "report folder (default: ${DEFAULT-VALUE})")
      java.nio.file.Path out = java.nio.file.Path.of("work/reports/captions");

      @Override
      public Integer call() {
        return report(() -> io.sparkvlm.eval.ScoreFiles.captions(results, annotations),
            io.sparkvlm.eval.ScoreFiles::captionsMetrics,
            loaded -> io.sparkvlm.eval.ScoreFiles.captionsReport(loaded, annotations), out);
      }
    }

    @Command(name = "vqa", mixinStandardHelpOptions = true,
        description = "VQA v2 accuracy (official metric and normalisation), overall and per question/answer type.")
    static final class Vqa implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--questions", required = true, description = "VQA v2 questions JSON")
      String questions;

      @picocli.CommandLine.Option(names = "--annotations", required = true, description = "VQA v2 annotations JSON")
      String annotations;

      @picocli.CommandLine.Option(names = "--results", required = true, description = "[{question_id, answer}]")
      String results;

      @picocli.CommandLine.Option(names = "--images", description = "COCO-format JSON naming each image_id's "
          + "file_name (images are found relative to it), for the report's gallery")
      String images;

      @picocli.CommandLine.Option(names = "--out", description = "report folder (default: ${DEFAULT-VALUE})")
      java.nio.file.Path out = java.nio.file.Path.of("work/reports/vqa");

      @Override
      public Integer call() {
        return report(() -> io.sparkvlm.eval.ScoreFiles.vqa(questions, annotations, results),
            io.sparkvlm.eval.VqaResults::metrics,
            loaded -> io.sparkvlm.eval.ScoreFiles.vqaReport(loaded, java.util.Optional.ofNullable(images)), out);
      }
    }

    @Command(name = "detection", mixinStandardHelpOptions = true,
        description = "COCO box AP (AP@[.5:.95], AP50, AP75, AR100) of detection results as pycocotools computes it, "
            + "per category and, for open-vocabulary results that name their combination, per combination group "
            + "(seen, unboxed, held out).")
    static final class Detection implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--instances", required = true,
          description = "COCO instances JSON (the synthetic world's eval/detection/instances_test.json)")
      String instances;

      @picocli.CommandLine.Option(names = "--results", required = true,
          description = "[{image_id, category_id, bbox: [x, y, w, h], score, combination?}]")
      String results;

      @picocli.CommandLine.Option(names = "--out", description = "report folder (default: ${DEFAULT-VALUE})")
      java.nio.file.Path out = java.nio.file.Path.of("work/reports/detection");

      @Override
      public Integer call() {
        return report(() -> io.sparkvlm.eval.ScoreFiles.detection(instances, results),
            io.sparkvlm.eval.DetectionResults::metrics,
            loaded -> io.sparkvlm.eval.ScoreFiles.detectionReport(loaded, instances), out);
      }
    }

    @Command(name = "filter", mixinStandardHelpOptions = true,
        description = "Precision, recall and F1 of a filter's keep/drop decisions against the synthetic world's noise "
            + "labels, overall and per noise type, with examples.")
    static final class Filter implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--decisions", required = true,
          description = "JSON Lines: {\"url\": ..., \"kept\": true|false, \"score\": 0.9} per web pair judged")
      String decisions;

      @picocli.CommandLine.Option(names = "--ground-truth", required = true,
          description = "the synthetic world's ground-truth/web.jsonl")
      String groundTruth;

      @picocli.CommandLine.Option(names = "--out", description = "report folder (default: ${DEFAULT-VALUE})")
      java.nio.file.Path out = java.nio.file.Path.of("work/reports/filter");

      @Override
      public Integer call() {
        return report(() -> io.sparkvlm.eval.ScoreFiles.filter(decisions, groundTruth),
            io.sparkvlm.eval.FilterResults::metrics,
            results -> io.sparkvlm.eval.ScoreFiles.filterReport(results, groundTruth), out);
      }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on Spark executors (EvalJob).")
    static final class Model implements Callable<Integer> {
      @Mixin JobOptions options;

      @picocli.CommandLine.Option(names = "--checkpoint", paramLabel = "PATH",
          description = "a checkpoint folder or a training run folder (= --conf eval.model.checkpoint=PATH)")
      String checkpoint;

      @picocli.CommandLine.Option(names = "--suite", paramLabel = "FOLDER", description = "a folder of evaluation "
          + "sets that lists them in its suite.json (what vlm synth and vlm synth fashion-mnist write); repeatable; "
          + "replaces eval.model.suites")
      java.util.List<String> suites = new java.util.ArrayList<>();

      @Override
      public Integer call() {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(options.toJobArgs()));
        if (checkpoint != null) {
          args.add("--conf");
          args.add("eval.model.checkpoint=" + quoted(checkpoint));
        }
        if (!suites.isEmpty()) {
          args.add("--conf");
          args.add("eval.model.suites=[" + String.join(", ", suites.stream().map(s -> "{root = " + quoted(s) + "}")
              .toList()) + "]");
        }
        return EvalJob.run(args.toArray(String[]::new));
      }

      /** A HOCON string: paths such as s3a://b/k would otherwise start a comment at //. */
      private static String quoted(String value) {
        try {
          return io.sparkvlm.core.io.Json.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Command(name = "demo", mixinStandardHelpOptions = true,
      description = "Run every stage of the pipeline locally on the embedded synthetic world (its ablations: vlm "
          + "bench filter, vlm bench instruct).")
  static final class Demo implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--out", description = "where everything goes (default: ${DEFAULT-VALUE})")
    java.nio.file.Path out = java.nio.file.Path.of("work/demo");

    @picocli.CommandLine.Option(names = "--scenes", description = "scenes in the world (default: ${DEFAULT-VALUE})")
    int scenes = 2000;

    @picocli.CommandLine.Option(names = "--conf", paramLabel = "KEY=VALUE", description = "override a config key")
    java.util.List<String> overrides = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
      try {
        return io.sparkvlm.cli.Demo.run(out, scenes, overrides);
      } catch (io.sparkvlm.core.config.ConfigError e) {
        System.err.println("demo: configuration error: " + e.getMessage());
        return JobLauncher.USAGE;
      }
    }
  }

  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Benchmarks that print a table and write JSON.",
      subcommands = {Bench.Ingest.class, Bench.Pretrain.class, Bench.Model.class, Bench.Filter.class,
          Bench.Instruct.class, Bench.Detection.class})
  static final class Bench implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(System.err);
      return JobLauncher.USAGE;
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Image decode+resize+encode per core, and ingest end to end from the loopback web.")
    static final class Ingest implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--dir", description = "work folder (default: ${DEFAULT-VALUE})")
      java.nio.file.Path dir = java.nio.file.Path.of("work/bench/ingest");

      @picocli.CommandLine.Option(names = "--images", description = "JPEGs per size (default: ${DEFAULT-VALUE})")
      int images = 40;

      @picocli.CommandLine.Option(names = "--scenes", description = "scenes of the end-to-end world (default: ${DEFAULT-VALUE})")
      int scenes = 8000;

      @picocli.CommandLine.Option(names = "--json", description = "output (default: ${DEFAULT-VALUE})")
      java.nio.file.Path json = java.nio.file.Path.of("work/bench/ingest.json");

      @Override
      public Integer call() throws Exception {
        return io.sparkvlm.cli.bench.IngestBench.run(dir, images, scenes, json);
      }
    }

    @Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "CLIP pretraining throughput, MFU and scaling across workers (Spark local).")
    static final class Pretrain implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--dir", description = "work folder (default: ${DEFAULT-VALUE})")
      java.nio.file.Path dir = java.nio.file.Path.of("work/bench/pretrain");

      @picocli.CommandLine.Option(names = "--preset", description = "model preset (default: ${DEFAULT-VALUE})")
      String preset = "bench";

      @picocli.CommandLine.Option(names = "--batch", description = "batch per worker (default: ${DEFAULT-VALUE})")
      int batch = 32;

      @picocli.CommandLine.Option(names = "--scenes", description = "world size (default: ${DEFAULT-VALUE})")
      int scenes = 1200;

      @picocli.CommandLine.Option(names = "--averaging-frequency", description = "default: ${DEFAULT-VALUE}")
      int averaging = 2;

      @picocli.CommandLine.Option(names = "--steps", description = "training steps of each Spark run, a multiple of "
          + "the averaging frequency (default: ${DEFAULT-VALUE}: one epoch of the world's pairs, which is few steps "
          + "for large batches, so warm-up weighs in the median)")
      int steps = 0;

      @picocli.CommandLine.Option(names = "--json", description = "output (default: ${DEFAULT-VALUE})")
      java.nio.file.Path json = java.nio.file.Path.of("work/bench/pretrain.json");

      @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        if (averaging < 1) {
          spec.commandLine().getErr().println("vlm bench pretrain: --averaging-frequency must be at least 1, got "
              + averaging);
          return JobLauncher.USAGE;
        }
        if (steps < 0 || steps % averaging != 0) {
          spec.commandLine().getErr().println("vlm bench pretrain: --steps must be 0 or a positive multiple of "
              + "--averaging-frequency (" + averaging + "), got " + steps);
          return JobLauncher.USAGE;
        }
        return io.sparkvlm.cli.bench.PretrainBench.run(dir, preset, batch, scenes, averaging, steps, json);
      }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
        description = "Training throughput and MFU of model presets in one process (no Spark).")
    static final class Model implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--preset", split = ",",
          description = "presets, comma-separated (default: ${DEFAULT-VALUE})")
      java.util.List<String> presets = java.util.List.of("nano", "tiny", "bench");

      @picocli.CommandLine.Option(names = "--batch", description = "default: ${DEFAULT-VALUE}")
      int batch = 64;

      @picocli.CommandLine.Option(names = "--steps", description = "timed steps (default: ${DEFAULT-VALUE})")
      int steps = 8;

      @picocli.CommandLine.Option(names = "--json", description = "output (default: ${DEFAULT-VALUE})")
      java.nio.file.Path json = java.nio.file.Path.of("work/bench/model.json");

      @picocli.CommandLine.Option(names = "--profile",
          description = "also where one training step's time goes, per op, on each thread count (written beside the JSON)")
      boolean profile;

      @Override
      public Integer call() throws Exception {
        return io.sparkvlm.cli.bench.ModelBench.run(presets, batch, steps, json, profile);
      }
    }

    @Command(name = "detection", mixinStandardHelpOptions = true,
        description = "Open-vocabulary detection without a head (frozen CLIP patch-text similarity, boxes of the "
            + "category's mean training size) on a finished demo run's CLIPs: AP per category and per combination "
            + "group (seen, unboxed, held out).")
    static final class Detection implements Callable<Integer> {
      @picocli.CommandLine.Option(names = "--run", description = "the demo run it reads (default: ${DEFAULT-VALUE})")
      java.nio.file.Path run = java.nio.file.Path.of("work/demo");

      @picocli.CommandLine.Option(names = "--json", description = "output (default: ${DEFAULT-VALUE})")
      java.nio.file.Path json = java.nio.file.Path.of("work/bench/detection.json");

      @picocli.CommandLine.Option(names = "--detector", description = "a trained detector (vlm detect train) to "
          + "score beside the baseline, besides the demo run's own detector; repeatable")
      java.util.List<java.nio.file.Path> detectors = new java.util.ArrayList<>();

      @Override
      public Integer call() throws Exception {
        return io.sparkvlm.cli.bench.DetectionBench.run(run, detectors, json);
      }
    }

    /** The options of the ablations that read a finished demo run and train more models into a work folder. */
    static final class AblationOptions {
      @picocli.CommandLine.Option(names = "--run", description = "the demo run it reads (default: ${DEFAULT-VALUE})")
      java.nio.file.Path run = java.nio.file.Path.of("work/demo");

      @picocli.CommandLine.Option(names = "--dir", description = "work folder (default: ${DEFAULT-VALUE})")
      java.nio.file.Path dir;

      @picocli.CommandLine.Option(names = "--only", split = ",",
          description = "variants to run, comma-separated (default: all)")
      java.util.List<String> only = java.util.List.of();

      @picocli.CommandLine.Option(names = "--conf", paramLabel = "KEY=VALUE",
          description = "a config key on top of the demo's, for every variant (e.g. a training seed)")
      java.util.List<String> overrides = new java.util.ArrayList<>();

      @picocli.CommandLine.Option(names = "--json", description = "output (default: ${DEFAULT-VALUE})")
      java.nio.file.Path json;

      /** Defaults under work/bench named after the benchmark: {@code work/bench/NAME/} and its JSON beside it. */
      AblationOptions(String name) {
        dir = java.nio.file.Path.of("work/bench", name);
        json = java.nio.file.Path.of("work/bench", name + ".json");
      }
    }

    @Command(name = "instruct", mixinStandardHelpOptions = true,
        description = "LLaVA's baselines on a finished demo run: stage 2 again with every image blank (blind), and "
            + "stage 2 without stage 1 (no-stage-1: a fresh connector), each evaluated on the held-out split beside "
            + "the demo's model.")
    static final class Instruct implements Callable<Integer> {
      @picocli.CommandLine.Mixin AblationOptions o = new AblationOptions("instruct");

      @Override
      public Integer call() throws Exception {
        return io.sparkvlm.cli.bench.InstructBench.run(o.run, o.dir, o.only, o.overrides, o.json);
      }
    }

    @Command(name = "filter", mixinStandardHelpOptions = true,
        description = "BLIP's ablation on a finished demo run: each way of bootstrapping (capfilt, filter-only, "
            + "captioner-only, clip-score-top-30%%, nothing-dropped) scored against the noise labels and followed by "
            + "a round-1 CLIP of round 0's steps.")
    static final class Filter implements Callable<Integer> {
      @picocli.CommandLine.Mixin AblationOptions o = new AblationOptions("filter");

      @Override
      public Integer call() throws Exception {
        return io.sparkvlm.cli.bench.FilterBench.run(o.run, o.dir, o.only, o.overrides, o.json);
      }
    }
  }
}
