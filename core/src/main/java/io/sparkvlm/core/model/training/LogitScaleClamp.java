package io.sparkvlm.core.model.training;

import io.sparkvlm.core.model.layers.ClipLoss;
import java.io.Serializable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * OpenCLIP's {@code logit_scale.clamp_(0, ln 100)} after every optimiser step, as a listener so that it runs
 * wherever the step runs: on the driver, and on Spark workers (the training master hands its listeners to them).
 */
public final class LogitScaleClamp extends BaseTrainingListener implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String lossLayer;

  public LogitScaleClamp(String lossLayer) {
    this.lossLayer = lossLayer;
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    if (model instanceof ComputationGraph graph) {
      ClipLoss.clampLogitScale(graph, lossLayer);
    }
  }
}
