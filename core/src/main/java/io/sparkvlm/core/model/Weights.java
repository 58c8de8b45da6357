package io.sparkvlm.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Moving trained weights between models that share layers (a CLIP's vision tower into a vision-language model). */
public final class Weights {
  private Weights() {}

  /** Layers to copy from a model. */
  public record Source(ComputationGraph model, List<String> layers) {}

  /**
   * Copies every parameter of each source's named layers into {@code to} (same layer names, same parameter names
   * and shapes, else an error naming the first mismatch; nothing is copied then, from any source). Returns the
   * layers copied, in order.
   */
  public static List<String> copyLayers(ComputationGraph to, Source... sources) {
    List<INDArray[]> pairs = new ArrayList<>();
    List<String> copied = new ArrayList<>();
    for (Source from : sources) {
      for (String name : from.layers()) {
        pairs.addAll(matchingParams(from.model(), to, name));
        copied.add(name);
      }
    }
    // assign into the parameter views: DL4J M2.1's SameDiffLayer.setParam checks the shape and does nothing
    for (INDArray[] p : pairs) {
      p[1].assign(p[0]);
    }
    return List.copyOf(copied);
  }

  /** (source, target) parameter pairs of one layer, checked. */
  private static List<INDArray[]> matchingParams(ComputationGraph from, ComputationGraph to, String name) {
    List<INDArray[]> pairs = new ArrayList<>();
    Layer source = from.getLayer(name);
    Layer target = to.getLayer(name);
    if (source == null || target == null) {
      throw new IllegalArgumentException("Cannot copy layer '" + name + "': the "
          + (source == null ? "source" : "target") + " model has no such layer");
    }
    Map<String, INDArray> sourceParams = source.paramTable();
    Map<String, INDArray> targetParams = target.paramTable();
    if (!sourceParams.keySet().equals(targetParams.keySet())) {
      throw new IllegalArgumentException("Cannot copy layer '" + name + "': parameters " + sourceParams.keySet()
          + " vs " + targetParams.keySet());
    }
    for (Map.Entry<String, INDArray> e : sourceParams.entrySet()) {
      INDArray t = targetParams.get(e.getKey());
      if (!Arrays.equals(e.getValue().shape(), t.shape())) {
        throw new IllegalArgumentException("Cannot copy " + name + "." + e.getKey() + ": shape "
            + Arrays.toString(e.getValue().shape()) + " into " + Arrays.toString(t.shape()));
      }
      pairs.add(new INDArray[] {e.getValue(), t});
    }
    return pairs;
  }
}
