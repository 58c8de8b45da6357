package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvlm.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vlm eval filter} on the synthetic world's ground truth with the decisions of a known rule (keep correct,
 * terse and wrong-colour captions; no decision for URLs the simulated web faults): the metrics are what the rule
 * implies, the report renders in headless Chromium with the examples, and bad decision files are clear errors.
 */
class EvalFilterTest {
  static final Set<String> KEPT = Set.of("correct", "terse", "wrong-colour");

  @Test
  void aKnownRulesDecisionsScoreAsTheRuleImpliesAndTheReportShowsExamples(@TempDir Path dir) throws Exception {
    Path world = dir.resolve("world");
    assertThat(VlmTest.vlm("synth", "--out", world.toString(), "--scenes", "300", "--conf", "spark.master=local[1]")
        .code()).isZero();
    ObjectMapper mapper = Json.MAPPER;
    Path truth = world.resolve("ground-truth/web.jsonl");
    List<String> decisions = new ArrayList<>();
    long keptMatching = 0;
    long keptWrongColour = 0;
    long undecided = 0;
    long boilerplate = 0;
    for (String line : Files.readAllLines(truth)) {
      JsonNode t = mapper.readTree(line);
      if (!t.get("fault").asText().equals("NONE")) {
        undecided++;
        continue;
      }
      String noise = t.get("noise").asText();
      boolean kept = KEPT.contains(noise);
      keptMatching += kept && t.get("matches_image").asBoolean() ? 1 : 0;
      keptWrongColour += noise.equals("wrong-colour") ? 1 : 0;
      boilerplate += noise.equals("boilerplate") ? 1 : 0;
      decisions.add(mapper.createObjectNode().put("url", t.get("url").asText()).put("kept", kept)
          .put("score", kept ? 0.9 : 0.1).toString());
    }
    assertThat(keptWrongColour).as("the world has wrong-colour captions").isPositive();
    assertThat(undecided).as("the world has faulted URLs").isPositive();
    Path file = dir.resolve("decisions.jsonl");
    Files.write(file, decisions);

    Path out = dir.resolve("report");
    VlmTest.Result r = VlmTest.vlm("eval", "filter", "--decisions", file.toString(), "--ground-truth",
        truth.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode m = mapper.readTree(out.resolve("metrics.json").toFile());
    assertThat(m.get("decisions").asLong()).isEqualTo(decisions.size());
    assertThat(m.get("undecided").asLong()).isEqualTo(undecided);
    assertThat(m.get("undecided_without_fault").asLong()).isZero();
    // every matching caption kept; of those kept, the wrong-colour ones do not match
    assertThat(m.get("keep/recall").asDouble()).isEqualTo(1.0);
    assertThat(m.get("keep/precision").asDouble())
        .isCloseTo(keptMatching / (double) (keptMatching + keptWrongColour), within(1e-12));
    assertThat(m.get("noise/wrong-colour/kept_share").asDouble()).isEqualTo(1.0);
    assertThat(m.get("noise/wrong-colour/drop_recall").asDouble()).isZero();
    // no matching caption dropped: every drop detects noise
    assertThat(m.get("noise/boilerplate/drop_precision").asDouble()).isEqualTo(boilerplate > 0 ? 1.0 : 0.0);
    assertThat(m.get("noise/mismatched/drop_f1").asDouble()).isEqualTo(1.0);

    String dom = HeadlessChromium.dumpDom(out.resolve("report.html"), dir.resolve("chromium-profile"));
    assertThat(dom).contains("data-charts-rendered=\"2\"").contains("data-broken-images=\"0\"")
        .contains("Kept, but the caption does not match the image").contains("noise: wrong-colour (does not match)")
        .contains("Dropped rightly: one of each noise type").contains("noise: mismatched").contains("<img")
        .contains(String.format("%.3f", m.get("keep/precision").asDouble()));

    // a decision for a URL of another world, a URL twice, a missing field: errors that say which
    Files.write(dir.resolve("foreign.jsonl"), List.of("{\"url\": \"http://elsewhere/x.jpg\", \"kept\": true}"));
    Files.write(dir.resolve("twice.jsonl"), List.of(decisions.get(0), decisions.get(0)));
    Files.write(dir.resolve("nokept.jsonl"), List.of("{\"url\": \"u\"}"));
    for (String[] c : new String[][] {{"foreign.jsonl", "http://elsewhere/x.jpg"},
        {"twice.jsonl", "line 2: a second decision for URL"}, {"nokept.jsonl", "line 1 has no 'kept'"}}) {
      VlmTest.Result bad = VlmTest.vlm("eval", "filter", "--decisions", dir.resolve(c[0]).toString(),
          "--ground-truth", truth.toString(), "--out", dir.resolve("bad").toString());
      assertThat(bad.code()).as(c[0]).isEqualTo(2);
      assertThat(bad.err()).as(c[0]).contains(c[1]);
    }
  }
}
