package io.sparkvlm.core.model.layers;

import java.util.List;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A hand-written output layer: its loss is a sum over the batch ({@link #loss}; DL4J divides the score, and the
 * updater the gradient, by the batch size). DL4J's ComputationGraph backpropagates an output layer before it asks
 * for the score, so the backward pass computes the loss too and {@link #computeScore} returns that value once
 * rather than running the forward again.
 */
public abstract class HandOutputRuntime<C extends HandLayer> extends HandRuntime<C> implements IOutputLayer {
  protected INDArray labels;
  private double lossFromBackward = Double.NaN;

  protected HandOutputRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /**
   * The batch's summed loss; with {@code gradients}, parameter gradients (of that sum) into the gradient views and
   * the input gradient returned through {@link #inputGradientOfLoss}.
   */
  protected abstract double loss(INDArray input, INDArray labels, boolean gradients, LayerWorkspaceMgr mgr);

  /** The input gradient left by the last {@code loss(..., true, ...)}. */
  protected abstract INDArray inputGradientOfLoss();

  @Override
  protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
    if (labels == null) {
      throw new IllegalStateException(layerConf().getClass().getSimpleName() + " '" + layerConf().getLayerName()
          + "': no labels set");
    }
    lossFromBackward = loss(input.castTo(dataType), labels.castTo(dataType), true, mgr);
    return inputGradientOfLoss();
  }

  @Override
  public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
    super.setInput(input, workspaceMgr);
    lossFromBackward = Double.NaN;
  }

  @Override
  public double computeScore(double fullNetworkRegScore, boolean training, LayerWorkspaceMgr workspaceMgr) {
    double sum = Double.isNaN(lossFromBackward)
        ? loss(input.castTo(dataType), labels.castTo(dataType), false, workspaceMgr) : lossFromBackward;
    lossFromBackward = Double.NaN;
    return (sum + fullNetworkRegScore) / input.size(0);
  }

  @Override
  public INDArray computeScoreForExamples(double fullNetworkRegScore, LayerWorkspaceMgr workspaceMgr) {
    throw new UnsupportedOperationException(layerConf().getClass().getSimpleName() + " has no per-example score");
  }

  @Override
  public boolean needsLabels() {
    return true;
  }

  @Override
  public void setLabels(INDArray labels) {
    this.labels = labels;
    lossFromBackward = Double.NaN;
  }

  @Override
  public INDArray getLabels() {
    return labels;
  }

  @Override
  public double f1Score(DataSet data) {
    throw new UnsupportedOperationException();
  }

  @Override
  public double f1Score(INDArray examples, INDArray labels) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int numLabels() {
    return 0;
  }

  @Override
  public void fit(DataSetIterator iter) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int[] predict(INDArray examples) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<String> predict(DataSet dataSet) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void fit(INDArray examples, INDArray labels) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void fit(DataSet data) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void fit(INDArray examples, int[] labels) {
    throw new UnsupportedOperationException();
  }
}
