package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.core.text.ByteLevel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class ModelCheckpointsTest {
  @TempDir Path dir;

  /** Four images with one-word captions, for a few training steps. */
  static MultiDataSet batch(ClipShape shape) {
    INDArray images = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
    INDArray ids = Nd4j.zeros(DataType.FLOAT, 4, 1, 16);
    INDArray mask = Nd4j.zeros(DataType.FLOAT, 4, 16);
    for (int i = 0; i < 4; i++) {
      ids.putScalar(new long[] {i, 0, 0}, 1);
      ids.putScalar(new long[] {i, 0, 1}, 10 + i);
      ids.putScalar(new long[] {i, 0, 2}, 2);
      for (int t = 0; t < 3; t++) {
        mask.putScalar(i, t, 1);
      }
    }
    return new MultiDataSet(new INDArray[] {images, ids},
        new INDArray[] {Nd4j.zeros(DataType.FLOAT, 4, 2 * shape.embedDim())}, new INDArray[] {null, mask}, null);
  }

  @Test
  void saveAndLoadGiveIdenticalOutputsParametersAndUpdaterState() throws Exception {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    ClipShape shape = ClipShape.preset("nano");
    ComputationGraph model = ClipModel.build(shape, new Adam(1e-3), DataType.FLOAT, 17);
    MultiDataSet batch = batch(shape);
    INDArray images = batch.getFeatures(0);
    INDArray ids = batch.getFeatures(1);
    INDArray mask = batch.getFeaturesMaskArray(1);
    for (int i = 0; i < 3; i++) {
      model.fit(batch); // so the Adam moments are not zero
    }
    BpeTokenizer tokenizer = BpeTrainer.train(new java.util.HashMap<>(Map.of(ByteLevel.encode(" red"), 5L)), 270, 1);
    CheckpointManifest manifest = new CheckpointManifest(shape.name(),
        Optional.of(new ModelArchitecture.Clip(shape).toJson()), 3, 17,
        JsonNodeFactory.instance.objectNode().put("lr", 1e-3), List.of(), List.of(),
        Map.of("loss", model.score()), Versions.all(), java.time.Instant.now().toString());
    String location = dir.resolve("run/" + Checkpoints.nameForStep(3)).toString();
    Configuration conf = new Configuration();
    ModelCheckpoints.save(model, Optional.of(tokenizer), location, manifest, false, conf);

    ComputationGraph loaded = ModelCheckpoints.loadModel(location, conf);
    assertThat(loaded.params()).isEqualTo(model.params());
    assertThat(loaded.getUpdater().getStateViewArray()).isEqualTo(model.getUpdater().getStateViewArray());
    model.setLayerMaskArrays(new INDArray[] {null, mask}, null);
    loaded.setLayerMaskArrays(new INDArray[] {null, mask}, null);
    Map<String, INDArray> a = model.feedForward(new INDArray[] {images, ids}, false);
    Map<String, INDArray> b = loaded.feedForward(new INDArray[] {images, ids}, false);
    assertThat(b.get(ClipModel.IMAGE_EMBEDDING)).isEqualTo(a.get(ClipModel.IMAGE_EMBEDDING));
    assertThat(b.get(ClipModel.TEXT_EMBEDDING)).isEqualTo(a.get(ClipModel.TEXT_EMBEDDING));

    CheckpointManifest read = Checkpoints.readManifest(location, conf);
    assertThat(read.model()).isEqualTo("clip-nano");
    assertThat(read.step()).isEqualTo(3);
    assertThat(ModelArchitecture.of(read, location)).contains(new ModelArchitecture.Clip(shape));
    assertThat(read.versions()).containsKeys("dl4j", "nd4j_backend");
    assertThat(ModelCheckpoints.loadTokenizer(location, conf).orElseThrow().encode(" red red"))
        .isEqualTo(tokenizer.encode(" red red"));
    assertThat(Checkpoints.latestComplete(dir.resolve("run").toString(), conf))
        .hasValueSatisfying(p -> assertThat(p).endsWith("run/" + Checkpoints.nameForStep(3)));
    assertThatThrownBy(() -> ModelCheckpoints.save(model, Optional.empty(), location, manifest, false, conf))
        .hasMessageContaining("already exists");

    // a model.zip cut short where no checksum file catches it (S3, or a copy without the .crc): an error naming
    // the checkpoint when it is read, for every way of reading it; the whole file reads as before
    java.nio.file.Path zip = Path.of(location, ModelCheckpoints.MODEL);
    byte[] whole = java.nio.file.Files.readAllBytes(zip);
    assertThat(ModelCheckpoints.load(location, conf).modelZip()).isEqualTo(whole);
    java.nio.file.Files.write(zip, java.util.Arrays.copyOf(whole, whole.length / 2));
    java.nio.file.Files.deleteIfExists(Path.of(location, "." + ModelCheckpoints.MODEL + ".crc"));
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable reading : List.<
        org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(() -> ModelCheckpoints.load(location, conf),
        () -> ModelCheckpoints.loadModel(location, conf), () -> ModelCheckpoints.modelZip(location, conf))) {
      assertThatThrownBy(reading).isInstanceOf(io.sparkvlm.core.checkpoint.CheckpointError.class)
          .hasMessageContaining("Checkpoint " + location + ": model.zip (" + whole.length / 2 + " bytes) is damaged "
              + "or cut short");
    }
    java.nio.file.Files.writeString(zip, "not a zip");
    assertThatThrownBy(() -> ModelCheckpoints.modelZip(location, conf))
        .hasMessageContaining("model.zip (9 bytes) is not a zip archive");
  }
}
