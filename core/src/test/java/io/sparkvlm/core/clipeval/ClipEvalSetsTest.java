package io.sparkvlm.core.clipeval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.dataset.DatasetError;
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

  /** Broken set files are data errors naming the file and what is wrong, which the launcher prints without a trace. */
  @Test
  void brokenSetFilesAreDatasetErrorsNamingTheFileAndTheProblem(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("retrieval.jsonl"), "{\"image\": \"a.jpg\", \"captions\": [\"x\"]}\n{not json\n");
    assertThatThrownBy(() -> ClipEvalSets.read(root.toString(), Optional.of("retrieval.jsonl"), List.of(), 10,
        new Configuration())).isInstanceOf(DatasetError.class)
        .hasMessageContaining("retrieval.jsonl names the image a.jpg, which is not under its root");
    Files.write(root.resolve("a.jpg"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ClipEvalSets.read(root.toString(), Optional.of("retrieval.jsonl"), List.of(), 10,
        new Configuration())).isInstanceOf(DatasetError.class).hasMessageContaining("retrieval.jsonl:2: not a JSON line");
    Files.writeString(root.resolve("two.json"), "{\"classes\": [\"red\"], \"templates\": [\"{}\"], \"samples\": []}"
        + "{\"classes\": [\"blue\"]}");
    assertThatThrownBy(() -> ClipEvalSets.read(root.toString(), Optional.empty(), List.of("two.json"), 10,
        new Configuration())).isInstanceOf(DatasetError.class).hasMessageContaining("two.json is not one JSON value");
  }
}
