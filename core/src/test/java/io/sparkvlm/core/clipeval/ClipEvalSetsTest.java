package io.sparkvlm.core.clipeval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An evaluation suite's task files: one without its samples is refused, not evaluated as an empty task. */
class ClipEvalSetsTest {
  @Test
  void aTaskFileWithoutSamplesIsAnErrorAndAnEmptyOneHasNoImages(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("no-samples.json"), "{\"task\": \"colour\", \"classes\": [\"red\", \"blue\"], "
        + "\"templates\": [\"a {} thing\"]}");
    assertThatThrownBy(() -> ClipEvalSets.read(root.toString(), Optional.empty(), List.of("no-samples.json"), 10,
        new Configuration())).hasMessageContaining("no-samples.json: no 'samples' array");
    Files.writeString(root.resolve("empty.json"), "{\"task\": \"colour\", \"classes\": [\"red\", \"blue\"], "
        + "\"templates\": [\"a {} thing\"], \"samples\": []}");
    ClipEvalSets sets = ClipEvalSets.read(root.toString(), Optional.empty(), List.of("empty.json"), 10,
        new Configuration());
    assertThat(sets.zeroShot()).singleElement().satisfies(t -> assertThat(t.images()).isEmpty());
  }
}
