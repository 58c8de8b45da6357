package io.sparkvlm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.eval.report.HtmlReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report folder appears whole or not at all, and replaces an older one whole. */
class ScoreFilesTest {
  static Map<String, Object> metrics(double v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", "captions");
    m.put("CIDEr", v);
    return m;
  }

  static long siblings(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir.getParent())) {
      return s.count();
    }
  }

  @Test
  void aNewReportReplacesTheOldOneWholeAndAFailedOneLeavesTheOldOneAsItWas(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("reports/run-1");
    ScoreFiles.write(metrics(1.0), new HtmlReport("first"), Map.of("stale.json", new byte[] {1}), dir);
    assertThat(dir.resolve("stale.json")).exists();

    ScoreFiles.write(metrics(2.0), new HtmlReport("second"),
        Map.of("captions_results.json", "[]".getBytes(StandardCharsets.UTF_8)), dir);
    assertThat(dir.resolve("stale.json")).doesNotExist();
    assertThat(dir.resolve("captions_results.json")).hasContent("[]");
    assertThat(dir.resolve("metrics.json")).content().contains("2.0");
    assertThat(dir.resolve("report.html")).content().contains("second");
    assertThat(siblings(dir)).as("no staging or old folders left beside it").isEqualTo(1);

    // a file that cannot be written (its folder does not exist): the second report stays, nothing is left over
    assertThatThrownBy(() -> ScoreFiles.write(metrics(3.0), new HtmlReport("third"),
        Map.of("no-such-folder/results.json", new byte[] {1}), dir)).isInstanceOf(java.io.IOException.class);
    assertThat(dir.resolve("metrics.json")).content().contains("2.0");
    assertThat(dir.resolve("report.html")).content().contains("second");
    assertThat(siblings(dir)).isEqualTo(1);
  }
}
