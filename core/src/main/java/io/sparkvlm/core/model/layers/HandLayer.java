package io.sparkvlm.core.model.layers;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The configuration side of spark-vlm's hand-written layers (DL4J's pattern: a configuration, a runtime layer and a
 * {@link ParamInitializer}): the layer lists its parameters ({@link #paramSpecs}), and its runtime
 * ({@link HandRuntime}) computes forward and backward with large matrix products and the Java kernels of
 * {@code layers.kernels}, keeping what backward needs from forward.
 *
 * <p>Weight decay (the network's regularization) applies only to parameters marked decayed (weight matrices; never
 * norm gains, biases, embeddings or positions), and to none in a frozen tower ({@link #exemptFromWeightDecay}).
 *
 * <p>Between layers, token sequences travel as [batch, time, width] (DL4J's NWC recurrent format), row-major, so a
 * batch of sequences is a [batch * time, width] matrix for the products without any copy.
 */
public abstract class HandLayer extends BaseLayer implements Freezable {
  private boolean decayExempt;

  protected HandLayer() {
  }

  /** The parameters, in their flat order (weights, then biases). */
  public abstract List<ParamSpec> paramSpecs();

  /** A new runtime layer for this configuration. */
  protected abstract HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType);

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int layerIndex, INDArray layerParamsView, boolean initializeParams,
      DataType networkDataType) {
    HandRuntime<?> r = newRuntime(conf, networkDataType);
    r.setListeners(listeners);
    r.setIndex(layerIndex);
    r.setParamsViewArray(layerParamsView);
    r.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
    r.setConf(conf);
    return r;
  }

  /** Configurations written when these layers were SameDiff layers name the updater "updater". */
  @org.nd4j.shade.jackson.annotation.JsonSetter("updater")
  public void setSameDiffUpdater(org.nd4j.linalg.learning.config.IUpdater updater) {
    if (iUpdater == null) {
      iUpdater = updater;
    }
  }

  @Override
  public ParamInitializer initializer() {
    return HandParamInitializer.INSTANCE;
  }

  @Override
  public HandLayer exemptFromWeightDecay() {
    this.decayExempt = true;
    return this;
  }

  public boolean isDecayExempt() {
    return decayExempt;
  }

  public void setDecayExempt(boolean decayExempt) {
    this.decayExempt = decayExempt;
  }

  /**
   * Keeps each regularization once: DL4J M2.1's LayerValidation.configureBaseLayer appends the network's weight decay
   * to a layer that already got it from the builder, which would decay every weight twice.
   */
  @Override
  public void setRegularization(List<Regularization> regularization) {
    this.regularization = regularization == null ? null
        : new java.util.ArrayList<>(new java.util.LinkedHashSet<>(regularization));
  }

  @Override
  public void setRegularizationBias(List<Regularization> regularizationBias) {
    this.regularizationBias = regularizationBias == null ? null
        : new java.util.ArrayList<>(new java.util.LinkedHashSet<>(regularizationBias));
  }

  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    if (decayExempt) {
      return List.of();
    }
    for (ParamSpec s : paramSpecs()) {
      if (s.name().equals(paramName)) {
        return s.decayed() && regularization != null ? regularization : List.of();
      }
    }
    throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + paramName + "'");
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // shapes are fixed by the model's shape, not inferred
  }

  @Override
  public boolean isPretrainParam(String paramName) {
    return false;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    InputType out = getOutputType(-1, inputType);
    return new LayerMemoryReport.Builder(layerName, getClass(), inputType, out)
        .standardMemory(initializer().numParams(this), 0)
        .workingMemory(0, 0, 0, 0)
        .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
        .build();
  }
}
