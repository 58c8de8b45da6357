package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class MatchingModelTest {
  static final ClipShape MICRO = new ClipShape("clip-micro", new ClipShape.Tower(6, 1, 2, 2),
      new ClipShape.Tower(8, 1, 2, 2), 8, 4, 5, 11, 8);

  @Test
  void theMatchingModelPassesADoublePrecisionGradientCheck() {
    MatchingModel.Shape s = MatchingModel.Shape.of(MICRO);
    MultiDataSet b = gradientCheck(s, Optional.empty());
    assertThat(b.getLabels(0).toDoubleMatrix()).isEqualTo(new double[][] {{0, 1}, {0, 1}, {1, 0}, {1, 0}, {1, 0},
        {1, 0}});
  }

  @Test
  void theHeadWithItcPassesADoublePrecisionGradientCheck() {
    MatchingModel.Shape s = MatchingModel.Shape.of(MICRO, MatchingModel.Head.FUSED_AND_ITC);
    assertThat(s.params()).isEqualTo(MatchingModel.Shape.of(MICRO).params() + 2);
    gradientCheck(s, Optional.of(new MatchingModel.Cosines(new double[][] {{0.9, 0.1}, {-0.2, 0.7}}, new double[0])));
  }

  /** Checks the micro model's gradients in double precision on a BLIP batch of two pairs; returns the batch. */
  private static MultiDataSet gradientCheck(MatchingModel.Shape s, Optional<MatchingModel.Cosines> cosines) {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    ComputationGraph g = MatchingModel.build(s, new NoOp(), DataType.DOUBLE, 3);
    assertThat(g.numParams()).as("parameter count from the shape").isEqualTo(s.params());
    INDArray images = Nd4j.rand(DataType.DOUBLE, 2, 3, 8, 8).subi(0.5);
    List<int[]> texts = List.of(new int[] {1, 5, 6, 2}, new int[] {1, 9, 2});
    MultiDataSet b = MatchingModel.batch(s, images, texts, new HardNegatives.Picks(new int[] {1, 0},
        new int[] {1, 0}), List.of(), cosines);
    for (int i = 0; i < b.numFeatureArrays(); i++) {
      b.setFeatures(i, b.getFeatures(i).castTo(DataType.DOUBLE));
    }
    b.setFeaturesMaskArray(1, b.getFeaturesMaskArray(1).castTo(DataType.DOUBLE));
    b.setLabels(0, b.getLabels(0).castTo(DataType.DOUBLE));
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(b.getFeatures()).labels(b.getLabels()).inputMask(b.getFeaturesMaskArrays())
        .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check of the matching model, head " + s.head().configName()).isTrue();
    return b;
  }

  /** Each row's cosine is its own (image, text) pair's: positives, hard negatives both ways, outside texts. */
  @Test
  void everyRowCarriesTheCosineOfItsOwnImageAndText() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    MatchingModel.Shape s = MatchingModel.Shape.of(MICRO, MatchingModel.Head.FUSED_AND_ITC);
    INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
    List<int[]> texts = List.of(new int[] {1, 5, 2}, new int[] {1, 6, 2});
    double[][] pairs = {{0.11, 0.12}, {0.21, 0.22}};   // image i, text j
    double[] outside = {0.31, 0.32, 0.41, 0.42};       // image 0's two outside texts, then image 1's
    MultiDataSet b = MatchingModel.batch(s, images, texts, new HardNegatives.Picks(new int[] {1, 0},
        new int[] {1, 0}), List.of(new int[] {1, 7, 2}, new int[] {1, 8, 2}, new int[] {1, 9, 2},
        new int[] {1, 10, 2}), Optional.of(new MatchingModel.Cosines(pairs, outside)));
    // rows: positives (0,0) (1,1); image i with text picks[i]: (0,1) (1,0); text j with image picks[j]: (1,0) (0,1)
    assertThat(b.getFeatures(2).reshape(10).toDoubleVector()).containsExactly(new double[] {0.11, 0.22, 0.12, 0.21,
        0.21, 0.12, 0.31, 0.32, 0.41, 0.42}, within(1e-6));
    assertThatThrownBy(() -> MatchingModel.batch(s, images, texts, new HardNegatives.Picks(new int[] {1, 0},
        new int[] {1, 0}))).hasMessageContaining("needs the ITC cosine");
    assertThatThrownBy(() -> MatchingModel.batch(MatchingModel.Shape.of(MICRO), images, texts,
        new HardNegatives.Picks(new int[] {1, 0}, new int[] {1, 0}), List.of(),
        Optional.of(new MatchingModel.Cosines(pairs, new double[0])))).hasMessageContaining("takes no ITC cosine");
  }

  /** Started from an ITC decision, the model is that decision whatever the image and the text. */
  @Test
  void startingFromItcGivesTheCalibratedCosineAlone() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    MatchingModel.Shape s = MatchingModel.Shape.of(MICRO, MatchingModel.Head.FUSED_AND_ITC);
    ComputationGraph g = MatchingModel.build(s, new NoOp(), DataType.FLOAT, 4);
    MatchingModel.startFromItc(g, s, new MatchingModel.ItcDecision(12, -3));
    INDArray images = Nd4j.rand(DataType.FLOAT, 3, 3, 8, 8);
    List<int[]> texts = List.of(new int[] {1, 5, 2}, new int[] {1, 6, 7, 2}, new int[] {1, 9, 2});
    double[] cos = {0.1, 0.25, 0.6};
    double[] p = MatchingModel.matchProbability(g, s, images, texts, Optional.of(cos));
    for (int i = 0; i < 3; i++) {
      assertThat(p[i]).as("row " + i).isCloseTo(1 / (1 + Math.exp(-(12 * cos[i] - 3))), within(1e-5));
    }
    assertThatThrownBy(() -> MatchingModel.startFromItc(MatchingModel.build(MatchingModel.Shape.of(MICRO),
        new NoOp(), DataType.FLOAT, 4), MatchingModel.Shape.of(MICRO), new MatchingModel.ItcDecision(1, 0)))
        .hasMessageContaining("needs the fused-and-itc head");
  }

  @Test
  void outsideTextsAreExtraNoMatchRowsOfTheirImage() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    MatchingModel.Shape s = MatchingModel.Shape.of(MICRO);
    INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
    List<int[]> texts = List.of(new int[] {1, 5, 2}, new int[] {1, 6, 2});
    List<int[]> outside = List.of(new int[] {1, 7, 2}, new int[] {1, 8, 2}, new int[] {1, 9, 2},
        new int[] {1, 10, 2});
    MultiDataSet b = MatchingModel.batch(s, images, texts, new HardNegatives.Picks(new int[] {1, 0},
        new int[] {1, 0}), outside, Optional.empty());
    assertThat(MatchingModel.rowsPerPair(2)).isEqualTo(5);
    assertThat(b.getLabels(0).rows()).isEqualTo(10);
    for (int row = 6; row < 10; row++) {
      assertThat(b.getLabels(0).getRow(row).toDoubleVector()).as("row " + row).containsExactly(1, 0);
      int image = (row - 6) / 2;   // image 0 gets outside texts 0 and 1, image 1 texts 2 and 3
      assertThat(b.getFeatures(0).slice(row)).isEqualTo(images.slice(image));
      assertThat(b.getFeatures(1).getInt(row, 0, 1)).isEqualTo(7 + (row - 6));
    }
    assertThat(MatchingModel.batch(s, images, texts, new HardNegatives.Picks(new int[] {1, 0}, new int[] {1, 0}))
        .getLabels(0).rows()).as("BLIP's batch alone").isEqualTo(6);
    assertThatThrownBy(() -> MatchingModel.batch(s, images, texts, new HardNegatives.Picks(new int[] {1, 0},
        new int[] {1, 0}), outside.subList(0, 3), Optional.empty())).hasMessageContaining("a multiple of 2 outside texts, got 3");
  }

  @Test
  void hardNegativesFollowBlipsWeightsAndNeverPickTheSameItem() {
    // image 0 against texts 0..3; text 1 is another caption of image 0 (same id): never a negative for it
    double[][] logits = {{5, 4, 2, 0}, {1, 5, 1, 1}, {0, 3, 5, 1}, {1, 1, 1, 5}};
    long[] ids = {7, 7, 8, 9};
    SplittableRandom r = new SplittableRandom(3);
    int n = 40000;
    int[] counts = new int[4];
    for (int k = 0; k < n; k++) {
      HardNegatives.Picks p = HardNegatives.sample(logits, ids, r);
      counts[p.textForImage()[0]]++;
      for (int i = 0; i < 4; i++) {
        assertThat(ids[p.textForImage()[i]]).isNotEqualTo(ids[i]);
        assertThat(ids[p.imageForText()[i]]).isNotEqualTo(ids[i]);
      }
    }
    assertThat(counts[0] + counts[1]).isZero();
    // BLIP: softmax over the row, + 1e-4, masked, renormalised by the multinomial draw
    double z = Math.exp(5) + Math.exp(4) + Math.exp(2) + Math.exp(0);
    double w2 = Math.exp(2) / z + 1e-4;
    double w3 = Math.exp(0) / z + 1e-4;
    double p2 = w2 / (w2 + w3);
    assertThat(counts[2] / (double) n).isCloseTo(p2, within(4 * Math.sqrt(p2 * (1 - p2) / n)));
    assertThatThrownBy(() -> HardNegatives.sample(new double[][] {{1, 2}, {2, 1}}, new long[] {4, 4}, r))
        .hasMessageContaining("No negative for image 0").hasMessageContaining("id 4");
    assertThatThrownBy(() -> HardNegatives.sample(new double[][] {{1, 2}}, new long[] {4, 5}, r))
        .hasMessageContaining("2 ids for a batch of 1");
  }

  @Test
  void aTrainedClipIsCopiedIn() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    MatchingModel.Shape s = MatchingModel.Shape.of(MICRO);
    ComputationGraph clip = ClipModel.build(MICRO, new NoOp(), DataType.FLOAT, 11);
    ComputationGraph itm = MatchingModel.build(s, new NoOp(), DataType.FLOAT, 12);
    assertThat(MatchingModel.initialiseFrom(itm, s, clip)).containsExactly("visionStem", "textTokens", "textStem",
        "visionBlock0", "textBlock0");
    assertThat(itm.getParam("textBlock0_attnInW")).isEqualTo(clip.getParam("textBlock0_attnInW"));
    assertThat(itm.getParam("visionStem_patchW")).isEqualTo(clip.getParam("visionStem_patchW"));
  }

  /**
   * A nano matching model trained on coloured images with BLIP's batches (each positive, a hard negative text per
   * image and a hard negative image per text, the hard ones drawn from similarities that make neighbouring colours
   * confusable) tells held-out matching captions from every wrong colour.
   */
  @Test
  void aNanoMatchingModelLearnsToTellMatchedFromHardNegativePairs() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    // the nano preset's towers over 16-pixel images (4 patches) and a 4-token context: colours need no resolution
    ClipShape preset = ClipShape.preset("nano");
    ClipShape nano = new ClipShape("clip-nano-16", preset.vision(), preset.text(), 16, 8, 4, preset.vocabSize(),
        preset.embedDim());
    MatchingModel.Shape s = MatchingModel.Shape.of(nano);
    int steps = 400;
    ComputationGraph g = MatchingModel.build(s, new Optimiser(1e-3, 20, steps, 0.9, 0.98, 1e-6, 0.0, 0),
        DataType.FLOAT, 5);
    SplittableRandom r = new SplittableRandom(7);
    for (int step = 0; step < steps; step++) {
      VisionLanguageModelTest.Colours batch = VisionLanguageModelTest.Colours.sample(16, nano.imageSize(), r);
      double[][] logits = new double[16][16];
      long[] ids = new long[16];
      for (int i = 0; i < 16; i++) {
        ids[i] = batch.colour()[i];  // two images of one colour are the same item: never each other's negative
        for (int j = 0; j < 16; j++) {
          logits[i][j] = -3.0 * Math.abs(batch.colour()[i] - batch.colour()[j]);  // neighbours are hard
        }
      }
      g.fit(MatchingModel.batch(s, batch.images(), batch.captions(), HardNegatives.sample(logits, ids, r)));
    }
    VisionLanguageModelTest.Colours test = VisionLanguageModelTest.Colours.sample(30, nano.imageSize(),
        new SplittableRandom(99));
    int colours = VisionLanguageModelTest.Colours.RGB.length;
    int[] right = new int[2];   // [negatives, positives] judged right
    int[] total = new int[2];
    double[][] p = new double[colours][];
    for (int c = 0; c < colours; c++) {
      List<int[]> captions = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        captions.add(new int[] {1, 3 + c, 2});
      }
      p[c] = MatchingModel.matchProbability(g, s, test.images(), captions);
      for (int i = 0; i < 30; i++) {
        int matches = test.colour()[i] == c ? 1 : 0;
        right[matches] += (p[c][i] > 0.5) == (matches == 1) ? 1 : 0;
        total[matches]++;
      }
    }
    // reranking, as BLIP uses ITM: the true caption scores highest of the six for each image
    int ranked = 0;
    for (int i = 0; i < 30; i++) {
      int best = 0;
      for (int c = 1; c < colours; c++) {
        best = p[c][i] > p[best][i] ? c : best;
      }
      ranked += best == test.colour()[i] ? 1 : 0;
    }
    System.out.printf("nano ITM after %d steps, held out: %d of %d matching pairs, %d of %d mismatched pairs right;"
        + " true caption ranked first for %d of 30 images%n", steps, right[1], total[1], right[0], total[0], ranked);
    // measured 25 of 30 here (30 with an earlier text-stem initialisation; lr 2e-3 gave 18): a margin for noise
    assertThat(ranked).as("images whose caption ranks first (chance 5 of 30)").isGreaterThan(18);
    // at the 0.5 threshold both kinds are mostly right (training sees two negatives per positive)
    assertThat(right[1] / (double) total[1]).as("matching pairs judged right").isGreaterThan(0.5);
    assertThat(right[0] / (double) total[0]).as("mismatched pairs judged right").isGreaterThan(0.7);
  }
}
