package io.sparkvlm.core.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.layers.ClipLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

class TrainingRecipeTest {
  static final ClipShape NANO = ClipShape.preset("nano");

  @Test
  void warmupThenCosineAsOpenClip() {
    WarmupCosineSchedule s = new WarmupCosineSchedule(1e-3, 10, 110);
    assertThat(s.valueAt(0, 0)).isCloseTo(1e-4, within(1e-12));     // (0 + 1) / 10 of the peak
    assertThat(s.valueAt(9, 0)).isCloseTo(1e-3, within(1e-12));     // warmup ends at the peak
    assertThat(s.valueAt(10, 0)).isCloseTo(1e-3, within(1e-12));    // cosine starts at the peak
    assertThat(s.valueAt(60, 0)).isCloseTo(5e-4, within(1e-12));    // halfway down
    assertThat(s.valueAt(110, 0)).isZero();
    assertThat(s.valueAt(500, 3)).isZero();
  }

  @Test
  void theScheduleSurvivesTheModelConfigurationsJson() {
    Optimiser o = new Optimiser(5e-4, 7, 300, 0.9, 0.98, 1e-6, 0.2, 1.0);
    ComputationGraphConfiguration conf = ClipModel.configuration(NANO, o, DataType.FLOAT, 1,
        ClipModel.Trainable.ALL);
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertThat(back).isEqualTo(conf);
    ComputationGraph g = new ComputationGraph(back);
    g.init();
    Adam adam = (Adam) g.getLayer("visionBlock0").conf().getLayer().getUpdaterByParam("fcW");
    assertThat(adam.getLearningRateSchedule()).isEqualTo(new WarmupCosineSchedule(5e-4, 7, 300));
    assertThat(adam.getBeta2()).isEqualTo(0.98);
  }

  @Test
  void weightDecayIsDecoupledAndReachesWeightMatricesOnlyNotNormsBiasesEmbeddingsOrTheLogitScale() {
    double lr = 1e-3;
    double wd = 0.25;
    ComputationGraph decayed = ClipModel.build(NANO, new Optimiser(lr, 0, 10, 0.9, 0.98, 1e-6, wd, 0),
        DataType.DOUBLE, 3, ClipModel.Trainable.ALL);
    ComputationGraph plain = ClipModel.build(NANO, new Optimiser(lr, 0, 10, 0.9, 0.98, 1e-6, 0, 0),
        DataType.DOUBLE, 3, ClipModel.Trainable.ALL);
    Map<String, INDArray> before = new java.util.HashMap<>();
    decayed.paramTable().forEach((k, v) -> before.put(k, v.dup()));
    MultiDataSet batch = batch(4, new SplittableRandom(2));
    batch.setFeatures(0, batch.getFeatures(0).castTo(DataType.DOUBLE));
    batch.setFeatures(1, batch.getFeatures(1).castTo(DataType.DOUBLE));
    batch.setFeaturesMaskArray(1, batch.getFeaturesMaskArray(1).castTo(DataType.DOUBLE));
    batch.setLabels(0, batch.getLabels(0).castTo(DataType.DOUBLE));
    decayed.fit(batch);
    plain.fit(batch);
    // AdamW: p' = p - lr * (adam step) - lr * wd * p, so the two runs differ by exactly lr * wd * p where p decays
    Set<String> decaying = new TreeSet<>();
    for (Map.Entry<String, INDArray> e : before.entrySet()) {
      INDArray difference = plain.getParam(e.getKey()).sub(decayed.getParam(e.getKey()));
      if (difference.amaxNumber().doubleValue() > 0) {
        decaying.add(e.getKey().substring(e.getKey().indexOf('_') + 1));
        assertThat(difference.sub(e.getValue().mul(lr * wd)).amaxNumber().doubleValue())
            .as(e.getKey()).isLessThan(1e-12);
      }
    }
    assertThat(decaying).containsExactlyInAnyOrder("attnInW", "attnOutW", "fcW", "projW", "patchW", "proj");
  }

  @Test
  void theLogitScaleClampRunsAfterEveryStep() {
    ComputationGraph g = ClipModel.build(NANO, Optimiser.adam(1e-3), DataType.FLOAT, 3, ClipModel.Trainable.ALL);
    g.getLayer(ClipModel.LOSS).getParam(ClipLoss.LOGIT_SCALE).assign(9.0);
    g.setListeners(new LogitScaleClamp(ClipModel.LOSS));
    g.fit(batch(4, new SplittableRandom(1)));
    assertThat(g.getLayer(ClipModel.LOSS).getParam(ClipLoss.LOGIT_SCALE).getDouble(0))
        .isLessThanOrEqualTo(Math.log(100) + 1e-6);
  }

  static MultiDataSet batch(int n, SplittableRandom r) {
    List<float[]> pixels = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    int size = NANO.imageSize();
    for (int i = 0; i < n; i++) {
      float[] p = new float[3 * size * size];
      for (int j = 0; j < p.length; j++) {
        p[j] = (float) r.nextGaussian();
      }
      pixels.add(p);
      tokens.add(new int[] {1, 10 + i, 2});
    }
    return ClipInputs.batch(pixels, tokens, NANO);
  }
}
