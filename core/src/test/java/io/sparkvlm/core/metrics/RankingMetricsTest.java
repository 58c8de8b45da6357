package io.sparkvlm.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {
  @Test
  void retrievalWithSeveralCaptionsPerImage() {
    // 3 images, 5 texts: texts 0,1 -> image 0; 2 -> image 1; 3,4 -> image 2
    int[] textImage = {0, 0, 1, 2, 2};
    double[][] sim = {
        {0.1, 0.9, 0.2, 0.3, 0.0},  // image 0: best text is 1 (correct) -> rank 1
        {0.5, 0.1, 0.4, 0.6, 0.2},  // image 1: its text 2 ranks 3rd
        {0.3, 0.2, 0.1, 0.0, 0.25}, // image 2: text 4 (0.25) ranks 2nd (after 0.3), text 3 5th -> best 2
    };
    Map<String, Double> r = Retrieval.evaluate(sim, textImage, 1, 5);
    assertThat(r.get("image_to_text_R@1")).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(r.get("image_to_text_R@5")).isEqualTo(1.0);
    // text -> image ranks: t0 col (0.1,0.5,0.3) image0 -> 3; t1 (0.9,0.1,0.2) -> 1; t2 (0.2,0.4,0.1) image1 -> 1;
    // t3 (0.3,0.6,0.0) image2 -> 3; t4 (0.0,0.2,0.25) image2 -> 1
    assertThat(r.get("text_to_image_R@1")).isCloseTo(3 / 5.0, within(1e-12));
    assertThat(r.get("text_to_image_mean_rank")).isCloseTo((3 + 1 + 1 + 3 + 1) / 5.0, within(1e-12));
    assertThat(r.get("text_to_image_median_rank")).isEqualTo(1.0);
    assertThat(r.get("image_to_text_median_rank")).isEqualTo(2.0); // ranks 1, 3, 2
    assertThat(r.get("mean_recall@1")).isCloseTo((1 / 3.0 + 3 / 5.0) / 2, within(1e-12));
  }

  @Test
  void tiesCountAgainstTheCorrectItem() {
    double[][] constant = {{0.5, 0.5}, {0.5, 0.5}};
    Map<String, Double> r = Retrieval.evaluate(constant, new int[] {0, 1}, 1);
    assertThat(r.get("image_to_text_R@1")).isZero();
    Map<String, Double> z = ZeroShot.evaluate(new double[][] {{1, 1, 0}}, new int[] {0}, 3);
    assertThat(z.get("acc1")).isZero();
    assertThat(z.get("acc5")).isEqualTo(1.0);
  }

  @Test
  void zeroShotAccuracyAndMeanPerClassRecall() {
    double[][] logits = {{0.9, 0.1, 0.0}, {0.2, 0.7, 0.1}, {0.6, 0.3, 0.1}, {0.1, 0.2, 0.7}};
    Map<String, Double> z = ZeroShot.evaluate(logits, new int[] {0, 1, 1, 2}, 3);
    assertThat(z.get("acc1")).isEqualTo(0.75);
    assertThat(z.get("mean_per_class_recall")).isCloseTo((1 + 0.5 + 1) / 3, within(1e-12));
  }

  @Test
  void classEmbeddingIsTheRenormalisedMeanOfNormalisedTemplates() {
    double[] e = ZeroShot.classEmbedding(new double[][] {{3, 0}, {0, 10}});
    assertThat(e[0]).isCloseTo(Math.sqrt(0.5), within(1e-12)); // (1,0) and (0,1) averaged, renormalised
    assertThat(e[1]).isCloseTo(Math.sqrt(0.5), within(1e-12));
  }
}
