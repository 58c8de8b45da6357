package io.sparkvlm.core.model.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PatchSimilarityBaselineTest {
  @Test
  void boxesTheBestMatchingPatchWithThePriorSizeAndSuppressesItsNeighbours() {
    // a 4x4 grid of 2-d embeddings: patch 6 (row 1, col 2) points along the query, its neighbour 7 nearly so
    double[][] patches = new double[16][];
    for (int p = 0; p < 16; p++) {
      patches[p] = new double[] {0, 1};
    }
    patches[6] = new double[] {1, 0};
    patches[7] = new double[] {Math.cos(0.1), Math.sin(0.1)};
    patches[13] = new double[] {Math.cos(0.5), Math.sin(0.5)};
    double[][] queries = {{1, 0}};
    List<PatchSimilarityBaseline.Box> boxes = PatchSimilarityBaseline.detect(patches, queries,
        new double[][] {{20, 10}}, 32, 2);
    assertThat(boxes).hasSize(2);
    PatchSimilarityBaseline.Box best = boxes.get(0);
    assertThat(best.score()).isCloseTo(1.0, within(1e-12));
    // patch 6's centre is (2.5 * 8, 1.5 * 8) = (20, 12): a 20x10 box around it
    assertThat(best.xywh()).containsExactly(10.0, 7.0, 20.0, 10.0);
    // patch 7's box overlaps it by more than 0.3 and is suppressed; patch 13 (row 3, col 1) is next
    assertThat(boxes.get(1).score()).isCloseTo(Math.cos(0.5), within(1e-12));
    assertThat(boxes.get(1).xywh()[0]).isCloseTo(2.0, within(1e-12));
  }

  @Test
  void boxesAreCutToTheImage() {
    double[][] patches = {{1}, {0}, {0}, {0}};
    List<PatchSimilarityBaseline.Box> boxes = PatchSimilarityBaseline.detect(patches, new double[][] {{1}},
        new double[][] {{30, 30}}, 20, 1);
    // patch 0's centre is (5, 5): the 30x30 box is cut to [0, 20)
    assertThat(boxes.get(0).xywh()).containsExactly(0.0, 0.0, 20.0, 20.0);
  }
}
