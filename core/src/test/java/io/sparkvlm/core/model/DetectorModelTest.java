package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.image.Resample;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.detection.DetectionHead;
import io.sparkvlm.core.model.detection.DetectionLabels;
import io.sparkvlm.core.model.detection.NonMaximumSuppression;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

class DetectorModelTest {
  static final ClipShape MICRO = new ClipShape("clip-micro", new ClipShape.Tower(6, 1, 2, 2),
      new ClipShape.Tower(8, 1, 2, 2), 8, 4, 5, 11, 5);

  static double[][] unitQueries(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] q = new double[n][d];
    for (double[] row : q) {
      double norm = 0;
      for (int k = 0; k < d; k++) {
        row[k] = r.nextGaussian();
        norm += row[k] * row[k];
      }
      for (int k = 0; k < d; k++) {
        row[k] /= Math.sqrt(norm);
      }
    }
    return q;
  }

  @Test
  void theDetectorPassesADoublePrecisionGradientCheck() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    DetectorModel.Shape s = DetectorModel.Shape.of(MICRO, 3, 2);
    // every parameter trained (a frozen tower's parameters get no gradient, which a check would call wrong)
    for (DetectorModel.Trainable t : List.of(DetectorModel.Trainable.ALL)) {
      ComputationGraph g = DetectorModel.build(s, new NoOp(), DataType.DOUBLE, 5, t);
      assertThat(g.getLayer(DetectorModel.LOSS).getParam(io.sparkvlm.core.model.detection.DetectionSetLoss.QUERY_W))
          .as("the query adapter starts as the identity").isEqualTo(Nd4j.eye(5).castTo(DataType.DOUBLE));
      // move the adapter off the identity so its gradient is checked where it is not special
      g.getLayer(DetectorModel.LOSS).setParam(io.sparkvlm.core.model.detection.DetectionSetLoss.QUERY_W,
          Nd4j.eye(5).castTo(DataType.DOUBLE).addi(Nd4j.randn(DataType.DOUBLE, 5, 5).muli(0.2)));
      // the head's shift and scale start where the focal loss is nearly flat; move them so every term counts
      g.getLayer(DetectorModel.HEAD).setParam(DetectionHead.SCALE_B, Nd4j.scalar(0.4).reshape(1));
      g.getLayer(DetectorModel.HEAD).setParam(DetectionHead.SCALE_W, Nd4j.randn(DataType.DOUBLE, 6, 1).muli(0.3));
      g.getLayer(DetectorModel.HEAD).setParam(DetectionHead.BOX2_W, Nd4j.randn(DataType.DOUBLE, 6, 4).muli(0.3));
      INDArray images = Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8).subi(0.5);
      INDArray labels = s.labels().encode(unitQueries(3, 5, 1), List.of(
          new DetectionLabels.Truth(new double[][] {{0.3, 0.3, 0.2, 0.3}}, new int[] {1}),
          new DetectionLabels.Truth(new double[][] {{0.7, 0.4, 0.3, 0.2}, {0.2, 0.8, 0.25, 0.2}}, new int[] {0, 2}),
          new DetectionLabels.Truth(new double[0][], new int[0]))).castTo(DataType.DOUBLE);
      boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
          .inputs(new INDArray[] {images}).labels(new INDArray[] {labels})
          .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
      assertThat(ok).as("gradient check of the detector, training " + t).isTrue();
    }
  }

  @Test
  void anUntrainedHeadScoresPatchesAsTheClipsPatchEmbeddingsAndBoxesItsPatch() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    ComputationGraph clip = ClipModel.build(MICRO, new NoOp(), DataType.FLOAT, 3);
    DetectorModel.Shape s = DetectorModel.Shape.of(MICRO, 2, 2);
    ComputationGraph det = DetectorModel.build(s, new NoOp(), DataType.FLOAT, 4, DetectorModel.Trainable.HEAD);
    DetectorModel.initialiseFrom(det, s, clip);
    List<float[]> pixels = List.of(ClipInputs.pixels(square(Color.RED, 1, 1, 4), ClipInputs.Crop.center(32, 32), 8,
        Resample.Filter.BILINEAR));
    double[][][] rows = DetectorModel.predictions(det, s, ClipInputs.images(pixels, 8));
    double[][][] patches = ClipEmbeddings.patches(clip, MICRO, pixels, 1);
    DetectionHead.Outputs o = s.outputs();
    for (int p = 0; p < s.patches(); p++) {
      for (int k = 0; k < MICRO.embedDim(); k++) {
        assertThat(rows[0][p][DetectionHead.Outputs.EMBED + k]).as("patch " + p + " embedding " + k)
            .isCloseTo(patches[0][p][k], org.assertj.core.api.Assertions.within(1e-4));
      }
      double[] bias = DetectionHead.boxBias(p, s.grid());
      double[] box = o.box(rows[0][p]);
      assertThat(box[0]).isCloseTo(1 / (1 + Math.exp(-bias[0])), org.assertj.core.api.Assertions.within(0.05));
      assertThat(box[2]).isCloseTo(1.0 / s.grid(), org.assertj.core.api.Assertions.within(0.05));
    }
  }

  @Test
  void theArchitectureRoundTripsThroughJson() throws Exception {
    DetectorModel.Shape s = DetectorModel.Shape.of(MICRO, 25, 8);
    ModelArchitecture a = new ModelArchitecture.Detector(s);
    ModelArchitecture back = ModelArchitecture.fromJson(Json.MAPPER.readTree(a.toJson().toString()), "test");
    assertThat(back).isEqualTo(a);
    assertThat(a.name()).isEqualTo("owlvit-micro");
  }

  @Test
  void labelsRefuseMoreBoxesThanTheLayoutHolds() {
    DetectionLabels layout = new DetectionLabels(2, 5, 1);
    assertThatThrownBy(() -> layout.encode(unitQueries(2, 5, 1), List.of(new DetectionLabels.Truth(
        new double[][] {{0.5, 0.5, 0.1, 0.1}, {0.2, 0.2, 0.1, 0.1}}, new int[] {0, 1}))))
        .hasMessageContaining("2 boxes, more than the detector's 1");
    assertThatThrownBy(() -> layout.encode(unitQueries(2, 5, 1), List.of(new DetectionLabels.Truth(
        new double[][] {{0.5, 0.5, 0.1, 0.1}}, new int[] {2}))))
        .hasMessageContaining("query 2 is not one of the 2");
  }

  /** A 32-pixel grey image with one filled square. */
  static BufferedImage square(Color colour, int x, int y, int side) {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.GRAY);
    g.fillRect(0, 0, 32, 32);
    g.setColor(colour);
    g.fillRect(x, y, side, side);
    g.dispose();
    return img;
  }

  record Sample(float[] pixels, DetectionLabels.Truth truth, double[] xywh) {}

  /** One red or blue square of side 8-13 at a random place; query 0 asks for red, 1 for blue. */
  static Sample sample(SplittableRandom r) {
    int side = 8 + r.nextInt(6);
    int x = r.nextInt(32 - side);
    int y = r.nextInt(32 - side);
    int query = r.nextInt(2);
    BufferedImage img = square(query == 0 ? Color.RED : Color.BLUE, x, y, side);
    double[] box = {(x + side / 2.0) / 32, (y + side / 2.0) / 32, side / 32.0, side / 32.0};
    return new Sample(ClipInputs.pixels(img, ClipInputs.Crop.center(32, 32), 32, Resample.Filter.BILINEAR),
        new DetectionLabels.Truth(new double[][] {box}, new int[] {query}),
        new double[] {x / 32.0, y / 32.0, side / 32.0, side / 32.0});
  }

  static ComputationGraph trainNano(long seed, int steps, double[][] queries) {
    ClipShape nano = ClipShape.preset("nano");
    DetectorModel.Shape s = DetectorModel.Shape.of(nano, 2, 1);
    ComputationGraph g = DetectorModel.build(s, new Adam(2e-3), DataType.FLOAT, seed, DetectorModel.Trainable.ALL);
    SplittableRandom r = new SplittableRandom(seed);
    for (int step = 0; step < steps; step++) {
      List<float[]> px = new ArrayList<>();
      List<DetectionLabels.Truth> truths = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        Sample smp = sample(r);
        px.add(smp.pixels());
        truths.add(smp.truth());
      }
      g.fit(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {ClipInputs.images(px, 32)},
          new INDArray[] {s.labels().encode(queries, truths)}));
    }
    return g;
  }

  @Test
  void aNanoDetectorLearnsToBoxSingleShapesAndRunsDeterministically() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    double[][] queries = unitQueries(2, 32, 9);
    ComputationGraph g = trainNano(11, 250, queries);
    DetectorModel.Shape s = DetectorModel.Shape.of(ClipShape.preset("nano"), 2, 1);
    SplittableRandom held = new SplittableRandom(12345);
    int hits = 0;
    int rightQuery = 0;
    int n = 40;
    for (int i = 0; i < n; i++) {
      Sample smp = sample(held);
      double[][] rows = DetectorModel.predictions(g, s, ClipInputs.images(List.of(smp.pixels()), 32))[0];
      List<DetectorModel.Detection> found = DetectorModel.detect(rows, s.outputs(),
          DetectorModel.adaptQueries(g, s, queries), 1);
      DetectorModel.Detection best = found.get(0).score() >= found.get(1).score() ? found.get(0) : found.get(1);
      if (best.query() == smp.truth().queries()[0]) {
        rightQuery++;
      }
      DetectorModel.Detection asked = found.stream().filter(d -> d.query() == smp.truth().queries()[0]).findFirst()
          .orElseThrow();
      if (NonMaximumSuppression.iou(NonMaximumSuppression.xywh(asked.box()), smp.xywh()) >= 0.5) {
        hits++;
      }
    }
    assertThat(hits).as("held-out squares boxed at IoU >= 0.5 by their query's best box, of " + n)
        .isGreaterThanOrEqualTo(n * 7 / 10);
    assertThat(rightQuery).as("images whose best detection is the right colour, of " + n)
        .isGreaterThanOrEqualTo(n * 8 / 10);

    ComputationGraph again = trainNano(11, 3, queries);
    ComputationGraph same = trainNano(11, 3, queries);
    assertThat(again.params()).as("the same seed trains the same weights").isEqualTo(same.params());
  }
}
