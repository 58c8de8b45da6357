package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PositionResizeTest {
  @Test
  void bicubicMatchesPyTorchsInterpolateUpAndDown() throws Exception {
    // golden values: scripts/fixtures/make_position_resize_goldens.py (torch F.interpolate, bicubic)
    JsonNode golden = Json.MAPPER.readTree(getClass().getResourceAsStream("/model/position-resize.json"));
    double[][][] grid = Json.MAPPER.treeToValue(golden.get("grid"), double[][][].class);
    for (String size : List.of("6", "3")) {
      double[][][] expected = Json.MAPPER.treeToValue(golden.get(size), double[][][].class);
      double[][][] actual = PositionResize.bicubic(grid, Integer.parseInt(size));
      for (int c = 0; c < expected.length; c++) {
        for (int y = 0; y < expected[c].length; y++) {
          for (int x = 0; x < expected[c][y].length; x++) {
            assertThat(actual[c][y][x]).as("size %s c %d y %d x %d", size, c, y, x)
                .isCloseTo(expected[c][y][x], within(1e-12));
          }
        }
      }
    }
    // the same size is the identity
    assertThat(PositionResize.bicubic(grid, 4)[1][2]).containsExactly(grid[1][2]);
  }

  @Test
  void aNanoClipContinuesAtALargerImageSizeWithItsWeightsAndResampledPositions() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    ClipShape nano = ClipShape.preset("nano");
    ComputationGraph small = ClipModel.build(nano, Optimiser.adam(1e-3), DataType.FLOAT, 3, ClipModel.Trainable.ALL);
    ComputationGraph large = PositionResize.withImageSize(small, nano, 48, Optimiser.adam(1e-3), 3);
    INDArray before = small.getParam("visionStem_pos");                           // [1 + 4*4, W]
    INDArray after = large.getParam("visionStem_pos");                            // [1 + 6*6, W]
    assertThat(after.shape()).containsExactly(37, nano.vision().width());
    assertThat(after.getRow(0).toFloatVector()).containsExactly(before.getRow(0).toFloatVector());
    for (Map.Entry<String, INDArray> e : small.paramTable().entrySet()) {
      if (!e.getKey().equals("visionStem_pos")) {
        assertThat(large.getParam(e.getKey()).ravel().toFloatVector()).as(e.getKey())
            .containsExactly(e.getValue().ravel().toFloatVector());
      }
    }
    // it runs at 48 px and trains
    List<float[]> pixels = new java.util.ArrayList<>();
    List<int[]> tokens = new java.util.ArrayList<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(2);
    for (int i = 0; i < 4; i++) {
      float[] p = new float[3 * 48 * 48];
      for (int j = 0; j < p.length; j++) {
        p[j] = (float) r.nextGaussian();
      }
      pixels.add(p);
      tokens.add(new int[] {1, 10 + i, 2});
    }
    ClipShape at48 = new ClipShape("nano-48", nano.vision(), nano.text(), 48, nano.patchSize(),
        nano.contextLength(), nano.vocabSize(), nano.embedDim());
    double[][] embeddings = ClipEmbeddings.images(large, at48, pixels, 4);
    assertThat(embeddings).hasNumberOfRows(4);
    assertThat(java.util.Arrays.stream(embeddings[0]).allMatch(Double::isFinite)).isTrue();
    large.fit(ClipInputs.batch(pixels, tokens, at48));
    assertThat(large.score()).isFinite();
  }
}
