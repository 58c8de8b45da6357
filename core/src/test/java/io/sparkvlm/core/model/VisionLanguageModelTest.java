package io.sparkvlm.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkvlm.core.model.VisionLanguageModel.Trainable;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Fusion;
import io.sparkvlm.core.model.layers.GatedCrossAttention;
import io.sparkvlm.core.model.layers.LmLoss;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.core.model.training.Optimiser;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

class VisionLanguageModelTest {
  /** Image 8 px in 4 patches, two ViT layers (one used), a one-layer decoder over 5 text positions. */
  static final ClipShape MICRO = new ClipShape("clip-micro", new ClipShape.Tower(6, 2, 2, 2),
      new ClipShape.Tower(8, 1, 2, 2), 8, 4, 5, 11, 8);
  static final int EOT = 2;

  static VisionLanguageModel.Shape micro(String connector) {
    return VisionLanguageModel.Shape.of(MICRO, Connector.of(connector, 3));
  }

  static MultiDataSet microBatch(VisionLanguageModel.Shape s, DataType dt) {
    List<int[]> seqs = List.of(new int[] {1, 5, 6, 7, 2}, new int[] {1, 9, 2});
    List<boolean[]> learn = List.of(new boolean[] {true, true, false, true, true}, new boolean[] {true, true, true});
    INDArray images = Nd4j.rand(dt, 2, 3, 8, 8).subi(0.5);
    MultiDataSet b = VisionLanguageModel.batch(s, images, seqs, learn);
    b.setFeatures(1, b.getFeatures(1).castTo(dt));
    b.setFeaturesMaskArray(1, b.getFeaturesMaskArray(1).castTo(dt));
    b.setLabels(0, b.getLabels(0).castTo(dt));
    return b;
  }

  /** With the mlp2x_gelu connector; each connector kind has its own check (ConnectorTest). */
  @Test
  void theAssembledModelPassesADoublePrecisionGradientCheck() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    String connector = "mlp2x_gelu";
    VisionLanguageModel.Shape s = micro(connector);
    ComputationGraph g = VisionLanguageModel.build(s, new NoOp(), DataType.DOUBLE, 3, Trainable.ALL);
    assertThat(g.numParams()).as("parameter count from the shape").isEqualTo(s.params());
    MultiDataSet b = microBatch(s, DataType.DOUBLE);
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(b.getFeatures()).labels(b.getLabels()).inputMask(b.getFeaturesMaskArrays())
        .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check of the %s vision-language model", connector).isTrue();
  }

  @Test
  void theLossCountsLearnedTextTargetsOnlyAndTheImageReachesTheText() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    VisionLanguageModel.Shape s = micro("mlp2x_gelu");
    assertThat(s.visualTokens()).isEqualTo(4);
    assertThat(s.sequenceLength()).isEqualTo(9);
    ComputationGraph g = VisionLanguageModel.build(s, new NoOp(), DataType.DOUBLE, 3, Trainable.ALL);
    MultiDataSet b = microBatch(s, DataType.DOUBLE);
    INDArray labels = b.getLabels(0);                                                         // [B, 2, N+T]
    assertThat(labels.get(NDArrayIndex.all(), NDArrayIndex.point(LmLoss.WEIGHT), NDArrayIndex.interval(0, 4))
        .sumNumber().doubleValue()).as("no visual position learns").isZero();
    assertThat(labels.getDouble(0, LmLoss.TARGET, 4)).as("text position 0 predicts token 1").isEqualTo(5);
    INDArray logits = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0];        // [B, N+T, V]
    assertThat(logits.shape()).containsExactly(2, 9, 11);
    double sum = 0;
    int n = 0;
    for (int i = 0; i < 2; i++) {
      for (int t = 0; t < 9; t++) {
        if (labels.getDouble(i, LmLoss.WEIGHT, t) == LmLoss.LEARN) {
          double[] row = logits.get(NDArrayIndex.point(i), NDArrayIndex.point(t), NDArrayIndex.all())
              .toDoubleVector();
          double max = Arrays.stream(row).max().orElseThrow();
          double lse = max + Math.log(Arrays.stream(row).map(x -> Math.exp(x - max)).sum());
          sum += lse - row[(int) labels.getDouble(i, LmLoss.TARGET, t)];
          n++;
        }
      }
    }
    assertThat(n).isEqualTo(5);
    assertThat(g.score(b)).isCloseTo(sum / n, within(1e-9));
    // the text positions see the image: another image changes the text logits
    INDArray otherLogits = g.output(false, new INDArray[] {Nd4j.rand(DataType.DOUBLE, 2, 3, 8, 8),
        b.getFeatures(1)}, b.getFeaturesMaskArrays())[0];
    assertThat(otherLogits.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 9), NDArrayIndex.all()))
        .isNotEqualTo(logits.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 9), NDArrayIndex.all()));
  }

  @Test
  void llavasStagesFreezeTheirTowersBitwise() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    VisionLanguageModel.Shape s = micro("mlp2x_gelu");
    Optimiser adamW = new Optimiser(1e-2, 0, 10, 0.9, 0.98, 1e-6, 0.1, 0);
    for (Trainable trainable : Trainable.values()) {
      ComputationGraph g = VisionLanguageModel.build(s, adamW, DataType.FLOAT, 3, trainable);
      Map<String, INDArray> before = copy(g.paramTable());
      for (int step = 0; step < 3; step++) {
        g.fit(microBatch(s, DataType.FLOAT));
      }
      for (Map.Entry<String, INDArray> e : before.entrySet()) {
        String layer = e.getKey().substring(0, e.getKey().lastIndexOf('_'));
        boolean trains = switch (trainable) {
          case ALIGN -> layer.equals(VisionLanguageModel.CONNECTOR);
          case INSTRUCT -> !layer.startsWith("vision");
          case ALL -> true;
        };
        INDArray after = g.getParam(e.getKey());
        if (trains) {
          assertThat(after).as("%s trains %s", trainable, e.getKey()).isNotEqualTo(e.getValue());
        } else {
          assertThat(after).as("%s freezes %s", trainable, e.getKey()).isEqualTo(e.getValue());
        }
      }
    }
  }

  @Test
  void aTrainedClipAndLmAreCopiedInAndTheModelSurvivesSaveAndLoad(@TempDir Path dir) throws Exception {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    VisionLanguageModel.Shape s = micro("resampler");
    ComputationGraph clip = ClipModel.build(MICRO, new NoOp(), DataType.FLOAT, 11);
    ComputationGraph lm = LanguageModel.build(s.lm(), new NoOp(), DataType.FLOAT, 12);
    ComputationGraph vlm = VisionLanguageModel.build(s, new NoOp(), DataType.FLOAT, 13, Trainable.INSTRUCT);
    List<String> copied = VisionLanguageModel.initialiseFrom(vlm, s, clip, lm);
    assertThat(copied).containsExactly("visionStem", "visionBlock0", "textTokens", "textStem", "block0", "lm");
    assertThat(vlm.getParam("visionBlock0_attnInW")).isEqualTo(clip.getParam("visionBlock0_attnInW"));
    assertThat(vlm.getParam("visionStem_pos")).isEqualTo(clip.getParam("visionStem_pos"));
    assertThat(vlm.getParam("block0_fcW")).isEqualTo(lm.getParam("block0_fcW"));
    assertThat(vlm.getParam("lm_vocab")).isEqualTo(lm.getParam("lm_vocab"));
    assertThat(vlm.getParam("textTokens_W")).isEqualTo(lm.getParam("textTokens_W"));
    // a CLIP of another image size does not fit
    ClipShape bigger = new ClipShape("clip-micro-16", MICRO.vision(), MICRO.text(), 16, 4, 5, 11, 8);
    ComputationGraph otherClip = ClipModel.build(bigger, new NoOp(), DataType.FLOAT, 11);
    ComputationGraph otherLm = LanguageModel.build(s.lm(), new NoOp(), DataType.FLOAT, 14);
    INDArray vocabBefore = vlm.getParam("lm_vocab").dup();
    assertThatThrownBy(() -> VisionLanguageModel.initialiseFrom(vlm, s, otherClip, otherLm))
        .hasMessageContaining("visionStem.pos").hasMessageContaining("[17, 6] into [5, 6]");
    assertThat(vlm.getParam("lm_vocab")).as("nothing copied from either model").isEqualTo(vocabBefore);
    assertThatThrownBy(() -> VisionLanguageModel.batch(s, Nd4j.rand(DataType.FLOAT, 3, 3, 8, 8),
        List.of(new int[] {1, 2}), List.of(new boolean[] {true, true})))
        .hasMessageContaining("3 images, 1 sequences");

    File file = dir.resolve("vlm.zip").toFile();
    ModelSerializer.writeModel(vlm, file, true);
    ComputationGraph loaded = ModelSerializer.restoreComputationGraph(file, true);
    MultiDataSet b = microBatch(s, DataType.FLOAT);
    assertThat(loaded.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0])
        .isEqualTo(vlm.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0]);
    assertThat(loaded.getConfiguration().toJson()).isEqualTo(vlm.getConfiguration().toJson());
  }

  /** Flamingo's fusion on the micro shape: a resampler's 3 tokens, a gated cross-attention block per LM block. */
  static VisionLanguageModel.Shape microCrossAttention() {
    return micro("resampler").withFusion(new Fusion.CrossAttention(1));
  }

  /** The gates opened (at 0 no gradient reaches the inner weights or the connector). */
  static void openGates(ComputationGraph g, VisionLanguageModel.Shape s) {
    DataType dt = g.params().dataType();
    for (int i = 0; i < s.crossAttentionBlocks(); i++) {
      g.getLayer(VisionLanguageModel.crossAttention(i)).setParam(GatedCrossAttention.ATTN_GATE,
          Nd4j.scalar(dt, 0.6).reshape(1));
      g.getLayer(VisionLanguageModel.crossAttention(i)).setParam(GatedCrossAttention.FF_GATE,
          Nd4j.scalar(dt, -0.3).reshape(1));
    }
  }

  @Test
  void withCrossAttentionTheAssembledModelPassesADoublePrecisionGradientCheck() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    VisionLanguageModel.Shape s = microCrossAttention();
    assertThat(s.textOffset()).isZero();
    assertThat(s.sequenceLength()).isEqualTo(5);
    assertThat(s.crossAttentionBlocks()).isEqualTo(1);
    ComputationGraph g = VisionLanguageModel.build(s, new NoOp(), DataType.DOUBLE, 3, Trainable.ALL);
    assertThat(g.numParams()).as("parameter count from the shape").isEqualTo(s.params());
    openGates(g, s);
    MultiDataSet b = microBatch(s, DataType.DOUBLE);
    assertThat(b.getLabels(0).shape()).as("labels over the text alone").containsExactly(2, 2, 5);
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(b.getFeatures()).labels(b.getLabels()).inputMask(b.getFeaturesMaskArrays())
        .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    assertThat(ok).as("gradient check of the cross-attention vision-language model").isTrue();
  }

  /**
   * Flamingo's initialisation: with the gates at 0 the model is the LM it was copied from, whatever the image; once a
   * gate opens the image reaches the text, and the generator (vision graph + decoder graph) picks the full model's
   * greedy next token.
   */
  @Test
  void withCrossAttentionAnUntrainedModelIsTheLmAndTheGeneratorMatchesTheModel() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    VisionLanguageModel.Shape s = microCrossAttention();
    ComputationGraph clip = ClipModel.build(MICRO, new NoOp(), DataType.FLOAT, 11);
    ComputationGraph lm = LanguageModel.build(s.lm(), new NoOp(), DataType.FLOAT, 12);
    ComputationGraph vlm = VisionLanguageModel.build(s, new NoOp(), DataType.FLOAT, 13, Trainable.INSTRUCT);
    assertThat(VisionLanguageModel.initialiseFrom(vlm, s, clip, lm)).doesNotContain("xattn0");
    MultiDataSet b = microBatch(s, DataType.FLOAT);
    INDArray logits = vlm.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0];        // [B, T, V]
    assertThat(logits.shape()).containsExactly(2, 5, 11);
    INDArray lmLogits = lm.output(false, new INDArray[] {b.getFeatures(1)},
        new INDArray[] {b.getFeaturesMaskArray(1)})[0];
    assertThat(logits.equalsWithEps(lmLogits, 1e-5)).as("closed gates: the LM's logits").isTrue();
    INDArray otherImage = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
    assertThat(vlm.output(false, new INDArray[] {otherImage, b.getFeatures(1)}, b.getFeaturesMaskArrays())[0]
        .equalsWithEps(lmLogits, 1e-5)).isTrue();
    openGates(vlm, s);
    INDArray open = vlm.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0].dup();
    assertThat(vlm.output(false, new INDArray[] {otherImage, b.getFeatures(1)}, b.getFeaturesMaskArrays())[0])
        .as("open gates: the image reaches the text").isNotEqualTo(open);
    List<int[]> prompts = List.of(new int[] {1, 5, 6}, new int[] {1});
    MultiDataSet asked = VisionLanguageModel.batch(s, b.getFeatures(0), prompts, LanguageModel.learnAll(prompts));
    INDArray full = vlm.output(false, asked.getFeatures(), asked.getFeaturesMaskArrays())[0];
    List<int[]> next = VisionLanguageModel.generate(vlm, s, b.getFeatures(0), prompts, 1, -1,
        Generation.Sampling.GREEDY);
    for (int i = 0; i < prompts.size(); i++) {
      INDArray row = full.get(NDArrayIndex.point(i), NDArrayIndex.point(prompts.get(i).length - 1),
          NDArrayIndex.all());
      int[] prompt = prompts.get(i);
      assertThat(next.get(i)).as("prompt %d, then one token", i).hasSize(prompt.length + 1)
          .startsWith(prompt).endsWith(row.argMax().getInt(0));
    }
  }

  @Test
  void withCrossAttentionAlignTrainsTheConnectorAndTheGatedBlocksOnly() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    VisionLanguageModel.Shape s = microCrossAttention();
    Optimiser adamW = new Optimiser(1e-2, 0, 10, 0.9, 0.98, 1e-6, 0.1, 0);
    ComputationGraph g = VisionLanguageModel.build(s, adamW, DataType.FLOAT, 3, Trainable.ALIGN);
    Map<String, INDArray> before = copy(g.paramTable());
    for (int step = 0; step < 3; step++) {
      g.fit(microBatch(s, DataType.FLOAT));
    }
    long trained = 0;
    for (Map.Entry<String, INDArray> e : before.entrySet()) {
      String layer = e.getKey().substring(0, e.getKey().lastIndexOf('_'));
      INDArray after = g.getParam(e.getKey());
      if (layer.equals(VisionLanguageModel.CONNECTOR) || layer.startsWith(VisionLanguageModel.CROSS_ATTENTION)) {
        assertThat(after).as("ALIGN trains %s", e.getKey()).isNotEqualTo(e.getValue());
        trained += after.length();
      } else {
        assertThat(after).as("ALIGN freezes %s", e.getKey()).isEqualTo(e.getValue());
      }
    }
    assertThat(s.trainableParams(Trainable.ALIGN)).isEqualTo(trained);
    assertThat(s.trainableParams(Trainable.INSTRUCT)).isEqualTo(trained + s.lm().params());
    assertThat(s.trainableParams(Trainable.ALL)).isEqualTo(g.numParams());
  }

  /**
   * LLaVA-1.5's path to a larger image: the CLIP resized (positions resampled) then copied into a VLM of the new
   * size, which sees more patches (here 4 -> 9 visual tokens) and runs.
   */
  @Test
  void aClipResizedToALargerImageStartsAVlmOfThatSize() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    ComputationGraph clip = ClipModel.build(MICRO, new NoOp(), DataType.FLOAT, 11);
    ComputationGraph larger = PositionResize.withImageSize(clip, MICRO, 12, Optimiser.adam(1e-3), 11);
    ClipShape at12 = new ClipShape("clip-micro-12", MICRO.vision(), MICRO.text(), 12, 4, 5, 11, 8);
    VisionLanguageModel.Shape s = VisionLanguageModel.Shape.of(at12, new Connector.Linear());
    assertThat(s.visualTokens()).isEqualTo(9);
    ComputationGraph lm = LanguageModel.build(s.lm(), new NoOp(), DataType.FLOAT, 12);
    ComputationGraph vlm = VisionLanguageModel.build(s, new NoOp(), DataType.FLOAT, 13, Trainable.INSTRUCT);
    VisionLanguageModel.initialiseFrom(vlm, s, larger, lm);
    assertThat(vlm.getParam("visionStem_pos")).isEqualTo(larger.getParam("visionStem_pos"));
    assertThat(vlm.getParam("visionStem_pos").shape()).containsExactly(10, 6);
    MultiDataSet b = VisionLanguageModel.batch(s, Nd4j.rand(DataType.FLOAT, 2, 3, 12, 12),
        List.of(new int[] {1, 5, 2}, new int[] {1, 6, 7, 2}), LanguageModel.learnAll(List.of(new int[] {1, 5, 2},
            new int[] {1, 6, 7, 2})));
    assertThat(vlm.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0].shape()).containsExactly(2, 14, 11);
    assertThat(vlm.score(b)).isFinite().isPositive();
  }

  /**
   * Only the image says which colour it is: a nano VLM (random, frozen vision tower, as in stage 2) learns to answer
   * with the colour's token after the start token, and greedy generation names held-out images' colours.
   */
  @Test
  void aNanoVlmLearnsToNameTheColourItSees() {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    ClipShape nano = ClipShape.preset("nano");
    VisionLanguageModel.Shape s = VisionLanguageModel.Shape.of(nano, new Connector.Mlp2xGelu());
    int steps = 150;
    ComputationGraph g = VisionLanguageModel.build(s, new Optimiser(3e-3, 10, steps, 0.9, 0.98, 1e-6, 0.0, 0),
        DataType.FLOAT, 5, Trainable.INSTRUCT);
    SplittableRandom r = new SplittableRandom(7);
    for (int step = 0; step < steps; step++) {
      Colours batch = Colours.sample(16, nano.imageSize(), r);
      g.fit(VisionLanguageModel.batch(s, batch.images, batch.captions(), LanguageModel.learnAll(batch.captions())));
    }
    Colours test = Colours.sample(40, nano.imageSize(), new SplittableRandom(99));
    List<int[]> prompts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      prompts.add(new int[] {1});
    }
    List<int[]> out = VisionLanguageModel.generate(g, s, test.images, prompts, 4, EOT,
        Generation.Sampling.GREEDY);
    int right = 0;
    for (int i = 0; i < 40; i++) {
      right += Arrays.equals(out.get(i), test.captions().get(i)) ? 1 : 0;
    }
    System.out.printf("nano VLM: %d of 40 held-out colour captions right after %d steps%n", right, steps);
    assertThat(right).as("held-out captions right of 40 (chance: 40 / %d)", Colours.RGB.length).isGreaterThan(34);
  }

  /** Noisy single-colour images; caption = start, the colour's token (3 + index), end. */
  record Colours(INDArray images, int[] colour) {
    static final float[][] RGB = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {0, 1, 1}, {1, 0, 1}};

    static Colours sample(int n, int size, SplittableRandom r) {
      INDArray images = Nd4j.zeros(DataType.FLOAT, n, 3, size, size);                       // [B, 3, S, S]
      int[] colour = new int[n];
      for (int i = 0; i < n; i++) {
        colour[i] = r.nextInt(RGB.length);
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
              images.putScalar(new long[] {i, c, y, x}, 2 * RGB[colour[i]][c] - 1 + 0.4 * r.nextGaussian());
            }
          }
        }
      }
      return new Colours(images, colour);
    }

    List<int[]> captions() {
      List<int[]> out = new ArrayList<>();
      for (int c : colour) {
        out.add(new int[] {1, 3 + c, EOT});
      }
      return out;
    }
  }

  static Map<String, INDArray> copy(Map<String, INDArray> params) {
    Map<String, INDArray> out = new java.util.LinkedHashMap<>();
    params.forEach((k, v) -> out.put(k, v.dup()));
    return out;
  }
}
