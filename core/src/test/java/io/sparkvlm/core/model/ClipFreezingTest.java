package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Freezing a tower (locked-image tuning): its parameters must not move at all. */
class ClipFreezingTest {
  @Test
  void lockedImageTuningLeavesTheImageTowerBitwiseUnchanged() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    ClipShape shape = ClipShape.preset("nano");
    // with weight decay: DL4J's frozen wrapper would otherwise still decay the frozen parameters
    ComputationGraph model = ClipModel.build(shape, new io.sparkvlm.core.model.training.Optimiser(1e-2, 0, 10, 0.9,
        0.98, 1e-6, 0.2, 0), DataType.FLOAT, 5, ClipModel.Trainable.LOCKED_IMAGE);
    Map<String, INDArray> before = new java.util.HashMap<>();
    model.paramTable().forEach((k, v) -> before.put(k, v.dup()));
    MultiDataSet batch = ModelCheckpointsTest.batch(shape);
    for (int i = 0; i < 3; i++) {
      model.fit(batch);
    }
    int frozen = 0;
    int trained = 0;
    for (Map.Entry<String, INDArray> e : model.paramTable().entrySet()) {
      boolean image = e.getKey().startsWith("vision") || e.getKey().startsWith(ClipModel.IMAGE_EMBEDDING);
      if (image) {
        assertThat(e.getValue().ravel().toFloatVector()).as(e.getKey())
            .containsExactly(before.get(e.getKey()).ravel().toFloatVector());
        frozen++;
      } else if (!e.getValue().equals(before.get(e.getKey()))) {
        trained++;
      }
    }
    assertThat(frozen).isGreaterThan(10);
    assertThat(trained).isGreaterThan(10); // the text tower and the logit scale did train
  }

}
