package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.model.layers.TransformerBlock;
import io.sparkvlm.core.model.training.Optimiser;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The run's seed reaches every layer's initial weights, and no two layers start alike. */
class SeedsTest {
  static final ClipShape NANO = ClipShape.preset("nano");

  static ComputationGraph clip(long seed) {
    return ClipModel.build(NANO, Optimiser.adam(1e-3), DataType.FLOAT, seed, ClipModel.Trainable.ALL);
  }

  @Test
  void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() {
    assertThat(clip(7).params()).isEqualTo(clip(7).params());
    ComputationGraph a = clip(7);
    ComputationGraph b = clip(8);
    for (String layer : new String[] {ClipModel.VISION_STEM, ClipModel.VISION_BLOCK + 0, ClipModel.TEXT_BLOCK + 1,
        ClipModel.IMAGE_EMBEDDING, ClipModel.TEXT_EMBEDDING}) {
      assertThat(a.getLayer(layer).params()).as(layer).isNotEqualTo(b.getLayer(layer).params());
    }
  }

  @Test
  void blocksOfOneWidthStartDifferently() {
    ComputationGraph g = clip(7);
    // nano: both towers are 32 wide with MLP ratio 4, so their blocks have the same parameter shapes
    assertThat(g.getLayer(ClipModel.VISION_BLOCK + 0).getParam(TransformerBlock.FC_W))
        .isNotEqualTo(g.getLayer(ClipModel.VISION_BLOCK + 1).getParam(TransformerBlock.FC_W));
    assertThat(g.getLayer(ClipModel.VISION_BLOCK + 0).getParam(TransformerBlock.IN_W))
        .isNotEqualTo(g.getLayer(ClipModel.TEXT_BLOCK + 0).getParam(TransformerBlock.IN_W));
    // and each weight matrix has the scale its initialisation asks for: N(0, 1/fan-in)
    double std = g.getLayer(ClipModel.TEXT_BLOCK + 0).getParam(TransformerBlock.FC_W).stdNumber().doubleValue();
    assertThat(std).isBetween(0.9 / Math.sqrt(32), 1.1 / Math.sqrt(32));
  }
}
