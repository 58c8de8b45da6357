package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class VlmTest {
  static final List<String> SUBCOMMANDS =
      List.of("synth", "ingest", "filter", "pretrain", "align", "instruct", "chat", "detect", "import", "export",
          "eval", "demo", "bench", "config");

  record Result(int code, String out, String err) {}

  static Result vlm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
    PrintStream previous = System.err;
    System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
    try {
      CommandLine cmd = Vlm.commandLine();
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
      int code = cmd.execute(args);
      return new Result(code, out.toString(), err + systemErr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(previous);
    }
  }

  @Test
  void helpListsEverySubcommand() {
    Result r = vlm("--help");
    assertThat(r.code()).isZero();
    for (String sub : SUBCOMMANDS) {
      assertThat(r.out()).containsPattern("(?m)^\\s+" + sub + "\\s");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"synth", "ingest", "filter", "pretrain", "align", "instruct", "chat", "detect", "import",
      "export", "eval", "demo", "bench", "config"})
  void everySubcommandHasHelp(String sub) {
    Result r = vlm(sub, "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: vlm " + sub);
  }

  @Test
  void everyCommandInTheTreeRendersItsHelpWithoutAFormatWarning() {
    List<List<String>> paths = new ArrayList<>();
    commandPaths(Vlm.commandLine(), new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(SUBCOMMANDS.size());
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Result r = vlm(args.toArray(String[]::new));
      assertThat(r.code()).as(String.join(" ", path)).isZero();
      // picocli prints "Could not format ..." when a description holds an unescaped % (e.g. "top-30%,")
      assertThat(r.err()).as(String.join(" ", path)).doesNotContain("Could not format");
    }
  }

  private static void commandPaths(CommandLine cmd, List<String> prefix, List<List<String>> out) {
    cmd.getSubcommands().forEach((name, sub) -> {
      if (!sub.getCommandName().equals(name)) {
        return; // an alias
      }
      List<String> path = new ArrayList<>(prefix);
      path.add(name);
      out.add(path);
      commandPaths(sub, path, out);
    });
  }

  @Test
  void theLlavaStagesRefuseAMissingStartingPointNamingTheKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    Result align = vlm("align", "--conf", "paths.root=" + dir);
    assertThat(align.code()).isEqualTo(1);
    assertThat(align.err()).contains("align: align.clip: No checkpoint at " + dir.resolve("checkpoints/clip"));
    Result instruct = vlm("instruct", "--conf", "paths.root=" + dir);
    assertThat(instruct.code()).isEqualTo(1);
    assertThat(instruct.err())
        .contains("instruct: instruct.from: No checkpoint at " + dir.resolve("checkpoints/align"));
  }

  @Test
  void synthGeneratesAWorldThroughTheRealMain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path out = dir.resolve("world");
    Result r = vlm("synth", "--out", out.toString(), "--scenes", "40", "--seed", "3", "--image-size", "24",
        "--conf", "spark.master=local[1]");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(out.resolve("world.json")).exists();
    assertThat(out.resolve("images/web/web-000000.jpg")).exists();
    Result bad = vlm("synth", "--out", out.toString(), "--scenes", "3");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("'synth.scenes' = 3 is out of range");
  }

  @Test
  void ingestWithoutAnInputNamesTheMissingKey() {
    Result r = vlm("ingest");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'ingest.input.path' must be set");
  }

  @Test
  void evalScoresTheSyntheticWorldsVqaAndCaptionFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path world = dir.resolve("world");
    assertThat(vlm("synth", "--out", world.toString(), "--scenes", "200", "--conf", "spark.master=local[1]").code())
        .isZero();
    var mapper = io.sparkvlm.core.io.Json.MAPPER;
    // VQA: answering with each question's most common human answer scores 100 (all answers agree after
    // the official normalisation)
    var annotations = mapper.readTree(world.resolve("eval/vqa/annotations_test.json").toFile());
    var results = mapper.createArrayNode();
    annotations.get("annotations").forEach(a -> results.addObject().put("question_id", a.get("question_id").asLong())
        .put("answer", a.get("multiple_choice_answer").asText()));
    // one wrong answer: the gallery of the worst answered shows it first
    long wrongId = annotations.get("annotations").get(0).get("question_id").asLong();
    ((com.fasterxml.jackson.databind.node.ObjectNode) results.get(0)).put("answer", "purple elephant");
    java.nio.file.Path vqaResults = dir.resolve("vqa-results.json");
    mapper.writeValue(vqaResults.toFile(), results);
    Result vqa = vlm("eval", "vqa", "--questions", world.resolve("eval/vqa/questions_test.json").toString(),
        "--annotations", world.resolve("eval/vqa/annotations_test.json").toString(),
        "--results", vqaResults.toString(), "--images", world.resolve("eval/captions/captions_test.json").toString(),
        "--out", dir.resolve("vqa-report").toString());
    assertThat(vqa.code()).as(vqa.err()).isZero();
    var metrics = mapper.readTree(dir.resolve("vqa-report/metrics.json").toFile());
    int questions = metrics.get("questions").asInt();
    assertThat(metrics.get("overall").asDouble()).isCloseTo(100.0 * (questions - 1) / questions,
        org.assertj.core.api.Assertions.within(0.01));
    assertThat(dir.resolve("vqa-report/report.md")).content().contains("| overall |");
    assertThat(wrongId).isPositive();
    // captions: the first reference as the candidate scores high, a constant caption low
    var coco = mapper.readTree(world.resolve("eval/captions/captions_test.json").toFile());
    var first = mapper.createArrayNode();
    var constant = mapper.createArrayNode();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    coco.get("annotations").forEach(a -> {
      if (seen.add(a.get("image_id").asLong())) {
        first.addObject().put("image_id", a.get("image_id").asLong()).put("caption", a.get("caption").asText());
        constant.addObject().put("image_id", a.get("image_id").asLong()).put("caption", "a picture");
      }
    });
    mapper.writeValue(dir.resolve("first.json").toFile(), first);
    mapper.writeValue(dir.resolve("constant.json").toFile(), constant);
    String annotationsFile = world.resolve("eval/captions/captions_test.json").toString();
    assertThat(vlm("eval", "captions", "--results", dir.resolve("first.json").toString(), "--annotations",
        annotationsFile, "--out", dir.resolve("c1").toString()).code()).isZero();
    assertThat(vlm("eval", "captions", "--results", dir.resolve("constant.json").toString(), "--annotations",
        annotationsFile, "--out", dir.resolve("c2").toString()).code()).isZero();
    double good = mapper.readTree(dir.resolve("c1/metrics.json").toFile()).at("/scores/CIDEr").asDouble();
    // the HTML report renders in a real browser: charts drawn, no broken images, the key numbers shown
    String dom = HeadlessChromium.dumpDom(dir.resolve("c1/report.html"), dir.resolve("chromium-profile"));
    assertThat(dom).contains("data-charts-rendered=\"1\"").contains("data-broken-images=\"0\"")
        .contains(String.format("%.3f", good)).contains("Best by CIDEr-D").contains("<img");
    String vqaDom = HeadlessChromium.dumpDom(dir.resolve("vqa-report/report.html"), dir.resolve("chromium-2"));
    assertThat(vqaDom).contains("data-charts-rendered=\"2\"").contains("data-broken-images=\"0\"")
        .contains("Answered worst").contains("Answered best").contains("answer: purple elephant (accuracy 0.00)")
        .contains("<img");
    // the gallery's first item is the wrong answer, with its image
    String worst = vqaDom.substring(vqaDom.indexOf("Answered worst"));
    assertThat(worst.indexOf("purple elephant")).isLessThan(worst.indexOf("accuracy 100.00"));
    double bad = mapper.readTree(dir.resolve("c2/metrics.json").toFile()).at("/scores/CIDEr").asDouble();
    assertThat(good).isGreaterThan(1.0).isGreaterThan(10 * bad);
    // a results file missing images is a clear error
    mapper.writeValue(dir.resolve("partial.json").toFile(), mapper.createArrayNode().add(first.get(0)));
    Result partial = vlm("eval", "captions", "--results", dir.resolve("partial.json").toString(), "--annotations",
        annotationsFile, "--out", dir.resolve("c3").toString());
    assertThat(partial.code()).isEqualTo(2);
    assertThat(partial.err()).contains("no candidate for");
  }

  @Test
  void theDemoRunsTheStagesThatExistEndToEnd(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
    java.io.PrintStream previous = System.out;
    System.setOut(new java.io.PrintStream(stdout, true, StandardCharsets.UTF_8));
    Result r;
    try {
      r = vlm("demo", "--out", dir.toString(), "--scenes", "300", "--conf", "spark.master=local[2]",
          "--conf", "pretrain.clip.model=nano", "--conf", "pretrain.clip.epochs=2", "--conf",
          "pretrain.clip.batch-size-per-worker=8", "--conf", "pretrain.clip.averaging-frequency=4", "--conf",
          "pretrain.clip.log-every-steps=4", "--conf", "pretrain.clip.checkpoint-every-steps=4", "--conf",
          "pretrain.clip.eval.every-steps=1000", "--conf", "pretrain.lm.model=lm-tiny", "--conf", "pretrain.lm.epochs=1",
          "--conf", "pretrain.lm.batch-size-per-worker=8", "--conf", "pretrain.lm.averaging-frequency=4", "--conf",
          "pretrain.lm.log-every-steps=4", "--conf", "pretrain.lm.checkpoint-every-steps=4", "--conf",
          "pretrain.lm.eval.every-steps=1000", "--conf", "filter.captioner.epochs=1", "--conf", "filter.matcher.epochs=1",
          "--conf", "filter.captioner.batch-size-per-worker=8", "--conf", "filter.matcher.batch-size-per-worker=8",
          "--conf", "filter.captioner.averaging-frequency=2", "--conf", "filter.matcher.averaging-frequency=2",
          "--conf", "filter.captioner.log-every-steps=2", "--conf", "filter.matcher.log-every-steps=2",
          "--conf", "filter.captions.max-tokens=6", "--conf", "filter.captions.min-tokens=2",
          "--conf", "align.epochs=1", "--conf", "align.batch-size-per-worker=8", "--conf", "align.log-every-steps=5",
          "--conf", "instruct.epochs=1", "--conf", "instruct.batch-size-per-worker=8", "--conf",
          "instruct.log-every-steps=5", "--conf", "eval.model.generation.max-new-tokens=4", "--conf",
          "detect.train.epochs=2", "--conf", "detect.train.batch-size-per-worker=8", "--conf",
          "detect.train.averaging-frequency=2", "--conf", "detect.train.log-every-steps=2");
    } finally {
      System.setOut(previous);
    }
    String out = stdout.toString(StandardCharsets.UTF_8);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(out).contains("spark-vlm demo: done").contains("(225 rows)").contains("success")
        .contains("run apart on this run").contains("./vlm bench instruct --run")
        .contains("retrieval/image_to_text_R@5").contains("zeroshot/colour/acc1");
    assertThat(dir.resolve("pairs/_manifest.json")).exists();
    assertThat(dir.resolve("clip/metrics.jsonl")).exists();
    assertThat(out).contains("report:").contains("linear_probe/colour/acc1").contains("held-out perplexity");
    assertThat(dir.resolve("lm/metrics.jsonl")).exists();
    // the filter ran through the real job: its outputs, and its quality against the noise labels printed
    assertThat(out).contains("CAPFILT:").containsPattern("kept web captions against the noise labels: "
        + "(none kept of \\d+, so no precision|\\d+ of \\d+ kept, precision \\d)")
        .containsPattern("synthetic captions right about their scene \\(colours, shapes, counts\\): \\d+ of \\d+ ")
        .containsPattern("the first thing each of the others gets wrong: wrong colour \\d+, wrong shape \\d+, "
            + "wrong count \\d+, names no object \\d+");
    assertThat(dir.resolve("filter/filter_manifest.json")).exists();
    assertThat(dir.resolve("bootstrapped/_manifest.json")).exists();
    // round 1: the same CLIP on the bootstrapped pairs, as many steps as round 0, side by side in the summary
    assertThat(dir.resolve("clip-r1/metrics.jsonl")).exists();
    assertThat(out).contains("CLIP round 1 on the bootstrapped pairs").containsPattern("retrieval/mean_recall@5 +\\d");
    // both LLaVA stages ran, and the instruction-tuned model was evaluated on captions and VQA
    assertThat(dir.resolve("align/checkpoints")).isDirectory();
    assertThat(dir.resolve("instruct/instruct_data.json")).exists();
    assertThat(out).contains("instruction-tuned model:").contains("vqa/").contains("/CIDEr");
    assertThat(dir.resolve("reports/instruct/report.html")).exists();
    // the model report renders in a real browser: charts drawn, no broken images, the headline numbers shown
    String dom;
    try {
      dom = HeadlessChromium.dumpDom(dir.resolve("reports/model/report.html"), dir.resolve("chromium-profile"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(dom).contains("data-broken-images=\"0\"").contains("zero-shot colour top-1")
        .contains("Training loss").contains("<img");
    assertThat(dom).containsPattern("data-charts-rendered=\"[1-9][0-9]*\"");
    // the CLIP-score baseline's decisions scored beside CapFilt's (its round 1 is bench filter's, below)
    assertThat(out).containsPattern("the CLIP-score baseline \\(round-0 cosine, top 30% kept\\): precision \\d");
    // the detector: trained on the round-1 CLIP, run over the test images, scored per combination group
    try {
      org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
      String detector = io.sparkvlm.core.checkpoint.Checkpoints.resolve(dir.resolve("detector").toString(), hadoop);
      assertThat(io.sparkvlm.core.checkpoint.Checkpoints.readManifest(detector, hadoop).parents())
          .singleElement().asString().contains("clip-r1/checkpoints");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(out).contains("detector:").containsPattern("seen combinations AP50 +\\d")
        .contains("category AP50 (7 shapes)");
    assertThat(dir.resolve("reports/detection-results/results.json")).exists();
    assertThat(dir.resolve("reports/detection/report.html")).exists();
    java.nio.file.Path testImage;
    try (var images = java.nio.file.Files.list(dir.resolve("synth/images/test"))) {
      testImage = images.findFirst().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Result detect = vlm("detect", "--checkpoint", dir.resolve("detector").toString(), "--image",
        testImage.toString(), "--per-query", "2", "red star", "blue circle");
    assertThat(detect.code()).as(detect.err()).isZero();
    assertThat(detect.out()).contains("a photo of a red star.").contains("a photo of a blue circle.")
        .containsPattern("0\\.\\d{4}  \\[");
    assertThat(detect.out().lines().filter(l -> l.startsWith("a photo of a")).count()).isEqualTo(4);
    Result noQuery = vlm("detect", "--checkpoint", dir.resolve("detector").toString(), "--image",
        testImage.toString());
    assertThat(noQuery.code()).isEqualTo(2);
    Result blankQuery = vlm("detect", "--checkpoint", dir.resolve("detector").toString(), "--image",
        testImage.toString(), "red star", " ");
    assertThat(blankQuery.code()).isEqualTo(2);
    assertThat(blankQuery.err()).contains("query 2 is blank");
    Result twice = vlm("detect", "--checkpoint", dir.resolve("detector").toString(), "--image",
        testImage.toString(), "red star", "red star");
    assertThat(twice.code()).isEqualTo(2);
    assertThat(twice.err()).contains("\"red star\" is given twice");

    // BLIP's ablation on this run, two variants that train no filter model: a table and its JSON
    java.nio.file.Path json = dir.resolve("bench-filter.json");
    Result bench = vlm("bench", "filter", "--run", dir.toString(), "--dir", dir.resolve("bench").toString(),
        "--only", "clip-score-top-30%,nothing-dropped", "--json", json.toString(), "--conf", "spark.master=local[2]",
        "--conf", "pretrain.clip.model=nano", "--conf", "pretrain.clip.batch-size-per-worker=8", "--conf",
        "pretrain.clip.averaging-frequency=1", "--conf", "pretrain.clip.log-every-steps=1", "--conf",
        "pretrain.clip.checkpoint-every-steps=2", "--conf", "pretrain.clip.eval.every-steps=2");
    assertThat(bench.code()).as(bench.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode rows;
    try {
      rows = io.sparkvlm.core.io.Json.MAPPER.readTree(json.toFile()).get("rows");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("training data").asText()).startsWith("round 0");
    com.fasterxml.jackson.databind.JsonNode top = rows.get(1);
    com.fasterxml.jackson.databind.JsonNode all = rows.get(2);
    assertThat(all.get("training data").asText()).isEqualTo("nothing-dropped");
    // nothing dropped keeps every web text: recall 1, precision the base rate; the top 30% keeps about 30% of them
    assertThat(all.get("web recall").asDouble()).isEqualTo(1.0);
    long webTexts = all.get("web kept").asLong();
    assertThat(top.get("web kept").asLong()).isBetween((long) (0.25 * webTexts), (long) (0.35 * webTexts) + 1);
    assertThat(top.get("zeroshot/colour/acc1").asDouble()).isBetween(0.0, 1.0);
    assertThat(dir.resolve("bench/nothing-dropped/clip-r1/metrics.jsonl")).exists();

    // LLaVA's baselines on this run: stage 2 blind and without stage 1, evaluated beside the demo's model
    java.nio.file.Path instructJson = dir.resolve("bench-instruct.json");
    Result instructBench = vlm("bench", "instruct", "--run", dir.toString(), "--dir",
        dir.resolve("bench-instruct").toString(), "--json", instructJson.toString(), "--conf", "spark.master=local[2]",
        "--conf", "instruct.epochs=1", "--conf", "instruct.batch-size-per-worker=8", "--conf",
        "instruct.log-every-steps=5", "--conf", "eval.model.generation.max-new-tokens=4");
    assertThat(instructBench.code()).as(instructBench.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode instructRows;
    try {
      instructRows = io.sparkvlm.core.io.Json.MAPPER.readTree(instructJson.toFile()).get("rows");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    com.fasterxml.jackson.databind.JsonNode vqa = null;
    for (com.fasterxml.jackson.databind.JsonNode row : instructRows) {
      String metric = row.get("metric").asText();
      if (metric.startsWith("vqa/") && metric.endsWith("/accuracy")) {
        vqa = row;
      }
    }
    assertThat(vqa).as("a vqa/.../accuracy row in " + instructRows).isNotNull();
    assertThat(vqa.fieldNames()).toIterable().containsExactlyInAnyOrder("metric", "images", "blind", "no-stage-1");
    for (String model : List.of("images", "blind", "no-stage-1")) {
      assertThat(vqa.get(model).asDouble()).as(model).isBetween(0.0, 100.0);
    }
    assertThat(instructRows.get(instructRows.size() - 1).get("metric").asText()).isEqualTo("stage 2 seconds");
    assertThat(dir.resolve("bench-instruct/blind/report/metrics.json")).exists();
    assertThat(dir.resolve("bench-instruct/no-stage-1/instruct/instruct_data.json")).exists();
    Result noRun = vlm("bench", "instruct", "--run", dir.resolve("no-such-run").toString());
    assertThat(noRun.code()).isEqualTo(2);
    assertThat(noRun.err()).contains("does not exist; it reads a finished demo run");

    // the detection baseline on the run's two CLIPs, scored per combination group
    java.nio.file.Path detectionJson = dir.resolve("bench-detection.json");
    Result detection = vlm("bench", "detection", "--run", dir.toString(), "--json", detectionJson.toString());
    assertThat(detection.code()).as(detection.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode detectionRows;
    try {
      detectionRows = io.sparkvlm.core.io.Json.MAPPER.readTree(detectionJson.toFile()).get("rows");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // two CLIPs (rounds 0 and 1), the demo's detector, then the oracle: the right patch for every true box, which
    // must find some
    assertThat(detectionRows).hasSize(4);
    assertThat(detectionRows.get(2).get("CLIP").asText()).startsWith("detector detector (owlvit-nano, head trained");
    assertThat(detectionRows.get(3).get("CLIP").asText()).startsWith("oracle");
    assertThat(detectionRows.get(3).get("seen AP50").asDouble()).isPositive();
    for (com.fasterxml.jackson.databind.JsonNode row : detectionRows) {
      for (String k : List.of("category AP50", "seen AP50")) {
        assertThat(row.get(k).asDouble()).as(k).isBetween(0.0, 1.0);
      }
      // -1: no box of the group among the 30 test images of this small world (pycocotools' convention)
      for (String k : List.of("unboxed AP50", "held_out AP50")) {
        assertThat(row.get(k).asDouble()).as(k).isBetween(-1.0, 1.0);
      }
    }
  }

  @Test
  void pretrainClipWithoutItsInputFailsNamingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    Result r = vlm("pretrain", "clip", "--conf", "spark.master=local[1]", "--conf",
        "pretrain.clip.input=" + dir.resolve("no-such-pairs"), "--conf", "pretrain.clip.output=" + dir.resolve("o"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("pretrain.clip.input: No dataset at " + dir.resolve("no-such-pairs"));
  }

  @Test
  void evalModelWithoutACheckpointSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    Result r = vlm("eval", "model", "--conf", "spark.master=local[1]", "--conf",
        "eval.model.checkpoint=" + dir.resolve("none"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("No checkpoint at");
    Result unset = vlm("eval", "model");
    assertThat(unset.code()).isEqualTo(2);
    assertThat(unset.err()).contains("eval.model.checkpoint");
  }

  @Test
  void unknownOptionsExitTwo() {
    Result r = vlm("ingest", "--frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void benchPretrainStepsMustBeAMultipleOfTheAveragingFrequency() {
    Result r = vlm("bench", "pretrain", "--steps", "7");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--steps must be 0 or a positive multiple of --averaging-frequency (2), got 7");
  }

  @Test
  void aLocalCommandWhoseNd4jBackendDoesNotLoadSaysWhyAndExitsOne() throws Exception {
    CommandLine cmd = Vlm.commandLine();
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err, true));
    Exception noBackend = new IllegalStateException(new org.nd4j.linalg.factory.Nd4jBackend
        .NoAvailableBackendException("Please ensure that you have an nd4j backend on your classpath."));
    assertThat(cmd.getExecutionExceptionHandler().handleExecutionException(noBackend, cmd, null)).isEqualTo(1);
    assertThat(err.toString()).startsWith("vlm: ND4J could not load its CPU backend");
    Exception other = new IllegalStateException("something else");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cmd.getExecutionExceptionHandler()
        .handleExecutionException(other, cmd, null)).isSameAs(other);
  }

  @Test
  void versionIsPrinted() {
    assertThat(vlm("--version").out()).startsWith("spark-vlm ");
  }

  @Test
  void configShowPrintsTheEffectiveConfig() {
    Result r = vlm("config", "show", "--config", "classpath:conf/pipeline.conf",
        "--conf", "paths.root=s3a://bucket/run-1", "--section", "paths");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"s3a://bucket/run-1/pairs\"").doesNotContain("spark");
    Result origins = vlm("config", "show", "--origins", "--conf", "spark.app-name=x");
    assertThat(origins.out()).contains("--conf spark.app-name=x");
  }

  @Test
  void configPresetsPrintsEveryPresetsSizeForEveryModelKind() {
    Result r = vlm("config", "presets");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("clip-bench").contains("11,781,121").contains("vlm-bench (mlp2x_gelu)")
        .contains("itm-ViT-B-32").contains("training GFLOP");
  }

  @Test
  void configShowNamesABadKeyAndExitsTwo() {

    Result r = vlm("config", "show", "--conf", "spark.progress-interval-second=3");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown config key 'spark.progress-interval-second'")
        .contains("did you mean 'spark.progress-interval-seconds'");
    Result range = vlm("config", "show", "--conf", "spark.progress-interval-seconds=-4");
    assertThat(range.code()).isEqualTo(2);
    assertThat(range.err()).contains("'spark.progress-interval-seconds' = -4 is out of range");
  }

  @Test
  void configShowRedactsSecrets() {
    Result r = vlm("config", "show", "--conf", "spark.conf.\"spark.hadoop.fs.s3a.secret.key\"=hunter2");
    assertThat(r.code()).isZero();
    assertThat(r.out()).doesNotContain("hunter2").contains("<redacted>");
    // only the secret: tokenizer, tokenizer-min-frequency and max-new-tokens are shown as they are
    assertThat(r.out().split("<redacted>", -1)).hasSize(2);
    assertThat(r.out()).contains("tokenizer-min-frequency");
  }
}
