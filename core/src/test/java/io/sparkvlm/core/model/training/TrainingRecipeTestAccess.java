package io.sparkvlm.core.model.training;

import io.sparkvlm.core.model.ClipModel;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/** One nano CLIP training step, for tests in other packages. */
public final class TrainingRecipeTestAccess {
  private TrainingRecipeTestAccess() {}

  public static void trainOneNanoStep() {
    ComputationGraph g = ClipModel.build(TrainingRecipeTest.NANO, Optimiser.adam(1e-3), DataType.FLOAT, 5,
        ClipModel.Trainable.ALL);
    g.fit(TrainingRecipeTest.batch(4, new SplittableRandom(4)));
  }
}
