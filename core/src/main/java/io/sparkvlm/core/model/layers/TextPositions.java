package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Arena;
import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.ColumnSums;
import io.sparkvlm.core.model.layers.kernels.Native;
import io.sparkvlm.core.model.layers.kernels.Rows;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Learned positions added to token embeddings (the second half of OpenCLIP's text stem, after {@link TokenTable}):
 * [batch, context, width] in and out.
 */
public class TextPositions extends HandLayer {
  public static final String POSITIONS = "pos";

  private int contextLength;
  private int width;

  /** For JSON deserialisation. */
  public TextPositions() {
  }

  public TextPositions(int contextLength, int width) {
    this.contextLength = contextLength;
    this.width = width;
  }

  @Override
  public List<ParamSpec> paramSpecs() {
    return List.of(ParamSpec.embedding(POSITIONS, 0.01, contextLength, width));
  }

  @Override
  protected HandRuntime<?> newRuntime(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, contextLength, RNNFormat.NWC);
  }

  public int getContextLength() {
    return contextLength;
  }

  public void setContextLength(int contextLength) {
    this.contextLength = contextLength;
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }

  private static final class Runtime extends HandRuntime<TextPositions> {
    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray tokens, LayerWorkspaceMgr mgr) {
      int b = (int) tokens.size(0);
      int rowValues = layerConf().getContextLength() * layerConf().getWidth();
      if (tokens.rank() != 3 || tokens.length() != (long) b * rowValues) {
        throw new IllegalArgumentException("TextPositions '" + layerConf().getLayerName() + "' expects [batch, "
            + layerConf().getContextLength() + ", " + layerConf().getWidth() + "], got "
            + java.util.Arrays.toString(tokens.shape()));
      }
      Arena tmp = Arena.temporaries();
      Buf x = tmp.read("x", tokens);
      Rows.addBias(x, HandRows.param(params.get(POSITIONS), POSITIONS), x, b, rowValues);   // + pos per sequence
      INDArray out = output(mgr, b, layerConf().getContextLength(), layerConf().getWidth());
      Native.write(x, out);
      return out;
    }

    @Override
    protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
      int b = (int) epsilon.size(0);
      int rowValues = layerConf().getContextLength() * layerConf().getWidth();
      Buf dy = Arena.temporaries().read("dy", epsilon);
      Buf dPos = HandRows.gradientBuffer(dataType, rowValues);
      ColumnSums.sum(dy, dPos, b, rowValues);
      HandRows.setGradient(gradients.get(POSITIONS), dPos);
      INDArray dx = inputGradient(mgr, epsilon.shape());
      Native.write(dy, dx);
      return dx;
    }
  }
}
