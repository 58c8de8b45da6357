package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Arena;
import java.util.Map;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The runtime side of a {@link HandLayer}: parameter and gradient views, the mask, and the two methods a layer
 * writes, {@link #forward} and {@link #backward}. Forward keeps what backward needs in the layer's {@link #cache}
 * whether or not DL4J says it is training (DL4J's FrozenLayerWithBackprop runs its layer in inference mode and then
 * backpropagates through it). Backward writes parameter gradients straight into the gradient views.
 */
public abstract class HandRuntime<C extends HandLayer> extends AbstractLayer<C> {
  protected INDArray paramsFlat;
  protected INDArray gradientsFlat;
  protected Map<String, INDArray> params;
  protected Map<String, INDArray> gradients;
  /** What backward reads from forward, kept from step to step. */
  protected final Arena cache = new Arena();

  protected HandRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** The layer's output, in an ACTIVATIONS workspace array ({@link #output}). */
  protected abstract INDArray forward(INDArray input, LayerWorkspaceMgr workspaceMgr);

  /**
   * Parameter gradients into {@link #gradients}; returns the gradient for the input (ACTIVATION_GRAD). An output
   * layer gets no epsilon (null).
   */
  protected abstract INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr);

  /** An uninitialised output array of the network's precision in DL4J's activations workspace. */
  protected INDArray output(LayerWorkspaceMgr mgr, long... shape) {
    return mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, shape, 'c');
  }

  /** An uninitialised input-gradient array in DL4J's activation-gradient workspace. */
  protected INDArray inputGradient(LayerWorkspaceMgr mgr, long... shape) {
    return mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, shape, 'c');
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    return forward(input.castTo(dataType), workspaceMgr);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    INDArray inputGradient = backward(epsilon == null ? null : epsilon.castTo(dataType), workspaceMgr);
    Gradient g = new DefaultGradient(gradientsFlat);
    for (ParamSpec s : layerConf().paramSpecs()) {
      g.gradientForVariable().put(s.name(), gradients.get(s.name()));
    }
    return new Pair<>(g, inputGradient);
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
      int minibatchSize) {
    this.maskArray = maskArray;
    this.maskState = currentMaskState;
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }

  @Override
  public void clearNoiseWeightParams() {
  }

  @Override
  public INDArray params() {
    return paramsFlat;
  }

  @Override
  public long numParams() {
    return paramsFlat == null ? 0 : paramsFlat.length();
  }

  @Override
  public INDArray getParam(String param) {
    return params.get(param);
  }

  @Override
  public void setParam(String key, INDArray val) {
    INDArray p = params.get(key);
    if (p == null) {
      throw new IllegalArgumentException(layerConf().getClass().getSimpleName() + " has no parameter '" + key + "'");
    }
    p.assign(val);
  }

  @Override
  public void setParams(INDArray p) {
    if (p != paramsFlat && paramsFlat != null) {
      paramsFlat.assign(p.reshape(paramsFlat.shape()));
    }
  }

  @Override
  public void setParamsViewArray(INDArray view) {
    this.paramsFlat = view;
  }

  @Override
  public INDArray getGradientsViewArray() {
    return gradientsFlat;
  }

  @Override
  public void setBackpropGradientsViewArray(INDArray view) {
    this.gradientsFlat = view;
    this.gradients = layerConf().initializer().getGradientsFromFlattened(conf, view);
  }

  @Override
  public void setParamTable(Map<String, INDArray> table) {
    if (this.params == null) {
      this.params = table;
    } else {
      table.forEach(this::setParam);
    }
  }

  @Override
  public Map<String, INDArray> paramTable() {
    return params;
  }

  @Override
  public Map<String, INDArray> paramTable(boolean backpropParamsOnly) {
    return params;
  }

  /**
   * The loss terms of L1/L2 regularization. Decoupled weight decay (AdamW, applied after the updater) is a step, not a
   * term of the loss, so it adds nothing: the score stays the model's loss, as OpenCLIP reports it, and held-out
   * scores (perplexity) are not inflated by the weights' norm.
   */
  @Override
  public double calcRegularizationScore(boolean backpropParamsOnly) {
    double score = 0;
    for (ParamSpec s : layerConf().paramSpecs()) {
      for (Regularization r : layerConf().getRegularizationByParam(s.name())) {
        if (r.applyStep() == Regularization.ApplyStep.BEFORE_UPDATER) {
          score += r.score(params.get(s.name()), getIterationCount(), getEpochCount());
        }
      }
    }
    return score;
  }

  @Override
  public void clear() {
    super.clear();
  }
}
