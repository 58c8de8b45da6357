package io.sparkvlm.core.model.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.Connector;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Checkpoints written by the SameDiff-era layers (src/test/resources/compat/sd-era, README there) load with the
 * hand-written layers and compute what they computed then: the same parameter layout, configurations read as they
 * were written (NCW token tables, no layer-norm epsilon, QuickGELU, the "updater" key), updater state restored.
 */
class OldCheckpointsTest {
  static final ClipShape MICRO = new ClipShape("clip-micro", new ClipShape.Tower(8, 2, 2, 2),
      new ClipShape.Tower(8, 2, 2, 2), 8, 4, 5, 11, 8);
  static final String DIR = "/compat/sd-era/";

  static ComputationGraph load(String name) throws Exception {
    try (InputStream in = OldCheckpointsTest.class.getResourceAsStream(DIR + name)) {
      return ModelSerializer.restoreComputationGraph(in, true);
    }
  }

  static Map<String, double[]> expected() throws Exception {
    Map<String, double[]> out = new HashMap<>();
    try (InputStream in = OldCheckpointsTest.class.getResourceAsStream(DIR + "expected.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] kv = line.split(" ", 2);
        String numbers = kv[1].replaceAll("[\\[\\]]", "");
        out.put(kv[0], Arrays.stream(numbers.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray());
      }
    }
    return out;
  }

  static List<float[]> pixels() {
    SplittableRandom r = new SplittableRandom(5);
    List<float[]> pixels = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      float[] p = new float[3 * 8 * 8];
      for (int j = 0; j < p.length; j++) {
        p[j] = (float) r.nextGaussian();
      }
      pixels.add(p);
    }
    return pixels;
  }

  static final List<int[]> TOKENS = List.of(new int[] {1, 7, 8, 2}, new int[] {1, 9, 2}, new int[] {1, 5, 6, 10, 2});

  static double[] flat(double[][] a) {
    return Arrays.stream(a).flatMapToDouble(Arrays::stream).toArray();
  }

  static void assertClose(double[] actual, double[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("value " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tolerance));
    }
  }

  @Test
  void clipCheckpointGivesTheSameEmbeddingsAndKeepsTraining() throws Exception {
    ComputationGraph clip = load("clip-micro.zip");
    Map<String, double[]> expected = expected();
    assertClose(flat(ClipEmbeddings.images(clip, MICRO, pixels(), 8)), expected.get("clip.image"), 2e-5);
    assertClose(flat(ClipEmbeddings.texts(clip, MICRO, TOKENS, 8)), expected.get("clip.text"), 2e-5);
    // the restored updater state and iteration count take a further step
    MultiDataSet batch = ClipInputs.batch(pixels(), TOKENS, MICRO);
    double before = clip.score(batch);
    for (int i = 0; i < 5; i++) {
      clip.fit(batch);
    }
    assertThat(clip.score(batch)).isLessThan(before);
  }

  @Test
  void visionLanguageCheckpointGivesTheSameLogitsAndLoss() throws Exception {
    ComputationGraph vlm = load("vlm-micro.zip");
    Map<String, double[]> expected = expected();
    VisionLanguageModel.Shape vs = VisionLanguageModel.Shape.of(MICRO, new Connector.Mlp2xGelu());
    MultiDataSet batch = ClipInputs.batch(pixels(), TOKENS, MICRO);
    MultiDataSet vb = VisionLanguageModel.batch(vs, batch.getFeatures(0), TOKENS, LanguageModel.learnAll(TOKENS));
    double[] logits = vlm.output(false, vb.getFeatures(), vb.getFeaturesMaskArrays())[0].castTo(DataType.DOUBLE)
        .dup('c').data().asDouble();
    assertClose(logits, expected.get("vlm.logits"), 5e-5);
    assertThat(vlm.score(vb)).isCloseTo(expected.get("vlm.score")[0], org.assertj.core.data.Offset.offset(1e-5));
  }
}
