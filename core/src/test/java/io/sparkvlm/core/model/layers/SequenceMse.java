package io.sparkvlm.core.model.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A test loss for layers that output token sequences [batch, time, width]: {@code 0.5 * sum (y - label)^2} over the
 * positions the labels' mask keeps (DL4J's RnnLossLayer mishandles NWC labels in M2.1). No parameters.
 */
public class SequenceMse extends HandLayer {
  private int width;

  public SequenceMse() {
  }

  public SequenceMse(int width) {
    this.width = width;
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    return List.of();
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new HandOutputRuntime<SequenceMse>(conf, dataType) {
      private INDArray gradient;

      @Override
      protected INDArray forward(INDArray input, LayerWorkspaceMgr mgr) {
        return mgr.leverageTo(org.deeplearning4j.nn.workspace.ArrayType.ACTIVATIONS, input);
      }

      @Override
      protected double loss(INDArray y, INDArray labels, boolean withGradients, LayerWorkspaceMgr mgr) {
        INDArray diff = y.sub(labels);                                                   // [B, T, W]
        if (maskArray != null) {
          INDArray m = maskArray.castTo(diff.dataType()).reshape(diff.size(0), diff.size(1), 1);
          diff.muli(Nd4j.tile(m, 1, 1, (int) diff.size(2)));
        }
        if (withGradients) {
          gradient = mgr.dup(org.deeplearning4j.nn.workspace.ArrayType.ACTIVATION_GRAD, diff);
        }
        return 0.5 * diff.mul(diff).sumNumber().doubleValue();
      }

      @Override
      protected INDArray inputGradientOfLoss() {
        return gradient;
      }
    };
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return inputType;
  }
}
