package io.sparkvlm.pretrain;

import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.TrainingSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {
  /**
   * A checkpoint of the same name but another shape (a preset edited since it was written) is not resumed: its
   * weights would not fit. The same shape resumes at the recorded data position.
   */
  @Test
  void resumingRefusesACheckpointOfTheSameNameAndAnotherShape(@TempDir Path dir) throws Exception {
    ClipShape nano = ClipShape.preset("nano");
    ClipShape edited = new ClipShape(nano.name(), nano.vision(), nano.text(), 48, nano.patchSize(),
        nano.contextLength(), nano.vocabSize(), nano.embedDim());
    String out = dir.resolve("run").toString();
    Configuration conf = new Configuration();
    Checkpoints.write(out + "/checkpoints/" + Checkpoints.nameForStep(10), false, new CheckpointManifest(
        nano.name(), Optional.of(new ModelArchitecture.Clip(edited).toJson()), 10, 1,
        Json.MAPPER.createObjectNode(), List.of(), List.of(), Map.of("epoch", 1.0, "epoch_step", 4.0),
        Map.of(), "2026-01-01T00:00:00Z"), (fs, folder) -> { }, conf);
    TrainingSettings s = TrainingSettings.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(),
        List.of("pretrain.clip.output=\"" + out + "\"", "pretrain.clip.resume=true")))), "pretrain.clip", true);
    assertThatThrownBy(() -> TrainingRun.start(s, new ModelArchitecture.Clip(nano), conf))
        .hasMessageContaining("Cannot resume").hasMessageContaining("another shape").hasMessageContaining("48");
    TrainingRun.Start start = TrainingRun.start(s, new ModelArchitecture.Clip(edited), conf);
    assertThat(start.checkpoint()).hasValueSatisfying(c -> assertThat(c).endsWith(Checkpoints.nameForStep(10)));
    assertThat(start.epoch()).isEqualTo(1);
    assertThat(start.epochStep()).isEqualTo(4);
  }

  @Test
  void aSlicePassingAMultipleTriggersEvenWhenItEndsPastIt() {
    assertThat(TrainingRun.crossed(100, 10, 50)).isTrue();   // lands on it
    assertThat(TrainingRun.crossed(105, 10, 50)).isTrue();   // passes it: 95 -> 105
    assertThat(TrainingRun.crossed(95, 10, 50)).isFalse();   // 85 -> 95
    assertThat(TrainingRun.crossed(50, 5, 50)).isTrue();
    assertThat(TrainingRun.crossed(51, 1, 50)).isFalse();
  }

  @Test
  void durationsReadLikeAClock() {
    assertThat(TrainingRun.duration(42)).isEqualTo("42s");
    assertThat(TrainingRun.duration(125)).isEqualTo("2m05s");
    assertThat(TrainingRun.duration(7322)).isEqualTo("2h02m");
    assertThat(TrainingRun.duration(Double.NaN)).isEqualTo("?");
  }
}
