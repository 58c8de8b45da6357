package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.model.layers.Connector;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

class ModelSizesTest {
  @Test
  void everyKindsParameterCountIsTheBuiltGraphs() {
    ClipShape nano = ClipShape.preset("nano");
    VisionLanguageModel.Shape vlm = VisionLanguageModel.Shape.of(nano, new Connector.Mlp2xGelu());
    ComputationGraph[] graphs = {
        ClipModel.build(nano, new NoOp(), DataType.FLOAT, 1),
        LanguageModel.build(vlm.lm(), new NoOp(), DataType.FLOAT, 1),
        VisionLanguageModel.build(vlm, new NoOp(), DataType.FLOAT, 1, VisionLanguageModel.Trainable.ALL),
        MatchingModel.build(MatchingModel.Shape.of(nano), new NoOp(), DataType.FLOAT, 1)};
    var sizes = ModelSizes.of("nano");
    assertThat(sizes).extracting(ModelSizes.Size::kind).containsExactly("clip", "lm", "vlm", "itm");
    for (int i = 0; i < graphs.length; i++) {
      assertThat(graphs[i].numParams()).as(sizes.get(i).model()).isEqualTo(sizes.get(i).params());
      assertThat(sizes.get(i).trainingFlops()).isEqualTo(3 * sizes.get(i).forwardFlops()).isPositive();
    }
  }

  @Test
  void theTableCoversEveryPresetAndKind() {
    var lines = ModelSizes.table();
    assertThat(lines).hasSize(1 + 4 * ClipShape.presets().size());
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("bench").contains("clip-bench").contains("11,781,121"));
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("ViT-B-32").contains("151,277,313"));
  }
}
