package io.sparkvlm.cli;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.detect.DetectJob;
import io.sparkvlm.detect.DetectPairsJob;
import io.sparkvlm.detect.Detector;
import io.sparkvlm.detect.TrainDetectorJob;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vlm detect --checkpoint C --image I "a red triangle" ...}: a trained detector's boxes for each query in one
 * image, locally (no Spark), printed as a table. {@code vlm detect train} trains a detector, {@code vlm detect
 * dataset} detects over a whole instances file and {@code vlm detect pairs} over a pairs dataset on Spark (the stage
 * jobs).
 */
@Command(name = "detect", mixinStandardHelpOptions = true,
    description = "Open-vocabulary detection: boxes for text queries in one image (this command), or train a "
        + "detector (train), or detect on Spark over a COCO instances file (dataset) or a pairs dataset (pairs).",
    subcommands = {DetectCommand.Train.class, DetectCommand.Dataset.class, DetectCommand.Pairs.class})
final class DetectCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--checkpoint", description = "a detector checkpoint or run folder (vlm detect train)")
  String checkpoint;

  @Option(names = "--clip", description = "the CLIP that embeds the queries (default: the detector's parent)")
  String clip;

  @Option(names = "--image", description = "an image file (JPEG, PNG, ...)")
  Path image;

  @Option(names = "--per-query", description = "boxes per query after non-maximum suppression (default: "
      + "${DEFAULT-VALUE})")
  int perQuery = 1;

  @Parameters(arity = "0..*", description = "the queries, e.g. \"red star\" (each goes into the detector's "
      + "query template)")
  List<String> queries = List.of();

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (checkpoint == null || image == null || queries.isEmpty()) {
      err.println("vlm detect: give --checkpoint, --image and at least one query (or use vlm detect train / "
          + "dataset)");
      spec.commandLine().usage(err);
      return JobLauncher.USAGE;
    }
    for (int i = 0; i < queries.size(); i++) {
      String query = queries.get(i);
      if (query.isBlank()) {
        err.println("vlm detect: query " + (i + 1) + " is blank");
        return JobLauncher.USAGE;
      }
      if (queries.indexOf(query) < i) {
        err.println("vlm detect: the query \"" + query + "\" is given twice");
        return JobLauncher.USAGE;
      }
    }
    if (!Files.isRegularFile(image)) {
      err.println("vlm detect: --image " + image + " is not a file");
      return JobLauncher.USAGE;
    }
    if (perQuery < 1) {
      err.println("vlm detect: --per-query must be at least 1");
      return JobLauncher.USAGE;
    }
    Detector detector;
    try {
      detector = Detector.load("--checkpoint", checkpoint, Optional.ofNullable(clip), new Configuration());
    } catch (CheckpointError | IllegalArgumentException e) {
      err.println("vlm detect: " + e.getMessage());
      return JobLauncher.USAGE;
    }
    byte[] bytes = Files.readAllBytes(image);
    BufferedImage decoded;
    try {
      decoded = io.sparkvlm.core.model.ClipInputs.decode(bytes);
    } catch (IllegalArgumentException e) {
      err.println("vlm detect: --image " + image + ": " + e.getMessage());
      return JobLauncher.USAGE;
    }
    double[][] embeddings = detector.embed(queries);
    List<Detector.Found> found = Detector.detectDecoded(detector.checkpoint().model(), detector.shape(),
        List.of(decoded), embeddings, perQuery).get(0);
    out.printf("%-28s %7s  %s%n", "query", "score", "box [x, y, width, height] in pixels");
    for (Detector.Found f : found) {
      out.printf("%-28s %7.4f  [%.1f, %.1f, %.1f, %.1f]%n", detector.template().text(queries.get(f.query())),
          f.score(), f.xywh()[0], f.xywh()[1], f.xywh()[2], f.xywh()[3]);
    }
    out.flush();
    return JobLauncher.OK;
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train an OWL-ViT-style detection head on a CLIP with DETR's set loss (TrainDetectorJob).")
  static final class Train implements Callable<Integer> {
    @Mixin JobOptions options;

    @Override
    public Integer call() {
      return TrainDetectorJob.run(options.toJobArgs());
    }
  }

  @Command(name = "dataset", mixinStandardHelpOptions = true,
      description = "Detect every query in every image of a COCO instances file on Spark; COCO results out "
          + "(DetectJob).")
  static final class Dataset implements Callable<Integer> {
    @Mixin JobOptions options;

    @Override
    public Integer call() {
      return DetectJob.run(options.toJobArgs());
    }
  }

  @Command(name = "pairs", mixinStandardHelpOptions = true,
      description = "Detect every query (detect.pairs.queries) in every image of a pairs dataset on Spark; a "
          + "detections dataset out, one row per pairs row (DetectPairsJob).")
  static final class Pairs implements Callable<Integer> {
    @Mixin JobOptions options;

    @Override
    public Integer call() {
      return DetectPairsJob.run(options.toJobArgs());
    }
  }
}
