package io.sparkvlm.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopFilesTest {
  @TempDir Path dir;

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aStreamedWriteReplacesTheFileWhole() throws IOException {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir.resolve("results.json").toString());
    HadoopFiles.writeAtomically(target, "old".getBytes(StandardCharsets.UTF_8), new Configuration());
    HadoopFiles.writeAtomically(target, out -> {
      for (int i = 0; i < 1000; i++) {
        out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }, new Configuration());
    assertThat(Files.readAllLines(dir.resolve("results.json"))).hasSize(1000).startsWith("line 0").endsWith("line 999");
    assertThat(files()).filteredOn(n -> !n.startsWith(".")).containsExactly("results.json");
  }

  @Test
  void aWriteThatFailsHalfwayLeavesTheOldFileAndNoDebris() throws IOException {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir.resolve("results.json").toString());
    HadoopFiles.writeAtomically(target, "old".getBytes(StandardCharsets.UTF_8), new Configuration());
    assertThatThrownBy(() -> HadoopFiles.writeAtomically(target, out -> {
      out.write("half of the new".getBytes(StandardCharsets.UTF_8));
      throw new IOException("the source went away");
    }, new Configuration())).hasMessage("the source went away");
    assertThat(Files.readString(dir.resolve("results.json"))).isEqualTo("old");
    assertThat(files()).noneMatch(n -> n.contains("_tmp-"));
  }
}
