package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class VlmTest {
  static final List<String> SUBCOMMANDS =
      List.of("synth", "ingest", "filter", "pretrain", "align", "instruct", "eval", "demo", "bench", "config");

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
  @ValueSource(strings = {"synth", "ingest", "filter", "pretrain", "align", "instruct", "eval", "demo", "bench",
      "config"})
  void everySubcommandHasHelp(String sub) {
    Result r = vlm(sub, "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: vlm " + sub);
  }

  @ParameterizedTest
  @ValueSource(strings = {"filter", "pretrain clip", "pretrain lm", "align", "instruct", "eval",
      "demo", "bench pretrain"})
  void stagesThatDoNotExistYetSaySoAndExitTwo(String command) {
    Result r = vlm(command.split(" "));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("not implemented yet");
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
  void unknownOptionsExitTwo() {
    Result r = vlm("ingest", "--frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--frobnicate'");
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
  }
}
