package io.sparkvlm.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sparkvlm.core.dataset.InputRef;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class CheckpointsTest {
  @TempDir Path dir;

  static CheckpointManifest manifest(long step) {
    return new CheckpointManifest("clip-nano", Optional.empty(), step, 42,
        JsonNodeFactory.instance.objectNode().put("lr", 0.001),
        List.of(new InputRef("work/pairs", "dataset", "ab".repeat(32))), List.of("work/ckpt/parent"),
        Map.of("loss", 1.25), Map.of("java", "17"), "2026-01-01T00:00:00Z");
  }

  /** Format 1 recorded one parent and no format; it reads. Format 2 writes its number and the parents. */
  @Test
  void manifestsOfFormatOneStillReadAndFormatTwoRecordsItsParents() throws IOException {
    String v1 = "{\"model\": \"clip-nano\", \"step\": 5, \"seed\": 1, \"config\": {}, \"datasets\": [], "
        + "\"parent\": \"work/ckpt/old\", \"metrics\": {}, \"versions\": {}, \"created_at\": \"x\"}";
    CheckpointManifest read = CheckpointManifest.fromJson(v1.getBytes(StandardCharsets.UTF_8));
    assertThat(read.parents()).containsExactly("work/ckpt/old");
    String v2 = new String(manifest(3).toJson(), StandardCharsets.UTF_8);
    assertThat(v2).contains("\"format\" : 2").contains("\"parents\"").doesNotContain("\"parent\" :");
    assertThat(CheckpointManifest.fromJson(manifest(3).toJson())).isEqualTo(manifest(3));
    assertThatThrownBy(() -> CheckpointManifest.fromJson("{\"format\": 9, \"model\": \"x\"}"
        .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("format 9");
  }

  static Checkpoints.Contents model(String text) {
    return (fs, folder) -> {
      try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(folder, "model.zip"))) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    };
  }

  /** Write, read back, refuse, overwrite and find the latest: shared by the local and the s3a test. */
  public static void exerciseCheckpoints(String root, Configuration conf) throws IOException {
    String step10 = root + "/" + Checkpoints.nameForStep(10);
    Checkpoints.write(step10, false, manifest(10), model("ten"), conf);
    assertThat(Checkpoints.readManifest(step10, conf)).isEqualTo(manifest(10));

    assertThatThrownBy(() -> Checkpoints.write(step10, false, manifest(10), model("again"), conf))
        .isInstanceOf(CheckpointError.class).hasMessageContaining("already exists; pass --overwrite");

    Checkpoints.write(step10, true, manifest(10), model("replaced"), conf);
    FileSystem fs = new org.apache.hadoop.fs.Path(root).getFileSystem(conf);
    try (var in = fs.open(new org.apache.hadoop.fs.Path(step10, "model.zip"))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("replaced");
    }

    Checkpoints.write(root + "/" + Checkpoints.nameForStep(20), false, manifest(20), model("twenty"), conf);
    // An interrupted write: a folder with model files but no manifest. It must not count.
    fs.mkdirs(new org.apache.hadoop.fs.Path(root, Checkpoints.nameForStep(30)));
    fs.create(new org.apache.hadoop.fs.Path(root + "/" + Checkpoints.nameForStep(30), "model.zip")).close();
    assertThat(Checkpoints.latestComplete(root, conf)).hasValueSatisfying(
        p -> assertThat(p).endsWith(Checkpoints.nameForStep(20)));
    assertThat(fs.listStatus(new org.apache.hadoop.fs.Path(root)))
        .noneMatch(s -> s.getPath().getName().startsWith("._"));
  }

  @Test
  void roundTripRefusalOverwriteAndLatestOnTheLocalFileSystem() throws IOException {
    exerciseCheckpoints(dir.resolve("ckpt").toUri().toString(), new Configuration());
  }

  @Test
  void aFailedWriteLeavesNothingBehind() throws IOException {
    String target = dir.resolve("ckpt/" + Checkpoints.nameForStep(1)).toString();
    assertThatThrownBy(() -> Checkpoints.write(target, false, manifest(1), (fs, folder) -> {
      throw new IOException("disk full");
    }, new Configuration())).hasMessageContaining("disk full");
    assertThat(Files.list(dir.resolve("ckpt"))).isEmpty();
    assertThat(Checkpoints.latestComplete(dir.resolve("ckpt").toString(), new Configuration())).isEmpty();
  }

  @Test
  void readingAnIncompleteCheckpointIsAClearError() {
    assertThatThrownBy(() -> Checkpoints.readManifest(dir.toString(), new Configuration()))
        .hasMessageContaining("No complete checkpoint");
  }

  /** A manifest cut short, or of a newer format, is a checkpoint error naming the file, not a parser's trace. */
  @Test
  void aManifestThatCannotBeReadIsACheckpointErrorNamingItsFile() throws IOException {
    Path cut = Files.createDirectories(dir.resolve("cut"));
    Files.writeString(cut.resolve(CheckpointManifest.FILE_NAME), "{\"model\": \"clip-nano\", \"st");
    assertThatThrownBy(() -> Checkpoints.readManifest(cut.toString(), new Configuration()))
        .isInstanceOf(CheckpointError.class)
        .hasMessageContaining(CheckpointManifest.FILE_NAME + " is not a checkpoint manifest this spark-vlm reads");
    Path newer = Files.createDirectories(dir.resolve("newer"));
    Files.writeString(newer.resolve(CheckpointManifest.FILE_NAME), "{\"format\": 99, \"model\": \"clip-nano\"}");
    assertThatThrownBy(() -> Checkpoints.readManifest(newer.toString(), new Configuration()))
        .isInstanceOf(CheckpointError.class).hasMessageContaining("format 99 is newer");
  }

  /** A step folder left without its manifest (a write killed after the move) is removed, so the step can be saved. */
  @Test
  void aCheckpointLeftWithoutItsManifestIsRemovedAndACompleteOneIsKept() throws IOException {
    Configuration conf = new Configuration();
    String step2 = dir.resolve("ckpt/" + Checkpoints.nameForStep(2)).toString();
    Files.createDirectories(Path.of(step2));
    Files.writeString(Path.of(step2, "model.zip"), "half");
    assertThatThrownBy(() -> Checkpoints.write(step2, false, manifest(2), (fs, folder) -> { }, conf))
        .hasMessageContaining("already exists");
    assertThat(Checkpoints.removeIncomplete(step2, conf)).isTrue();
    Checkpoints.write(step2, false, manifest(2), (fs, folder) -> { }, conf);
    assertThat(Checkpoints.removeIncomplete(step2, conf)).as("a complete checkpoint is kept").isFalse();
    assertThat(Checkpoints.readManifest(step2, conf).step()).isEqualTo(2);
  }
}
