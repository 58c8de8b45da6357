package io.sparkvlm.core.model.layers;

import io.sparkvlm.core.model.layers.kernels.Buf;
import io.sparkvlm.core.model.layers.kernels.Native;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameter views and initialisation of {@link HandLayer}s from their {@link ParamSpec}s. Each parameter is a
 * row-major view of the layer's slice of the network's flat parameter vector, in spec order. Initial values come
 * from a random stream seeded by (network seed, layer name, parameter name): two runs with one seed start alike,
 * another seed starts elsewhere, and no two layers (a vision and a text block of one width, block 0 and block 1)
 * start with the same weights.
 */
public final class HandParamInitializer implements ParamInitializer {
  public static final HandParamInitializer INSTANCE = new HandParamInitializer();

  private HandParamInitializer() {}

  private static List<ParamSpec> specs(Layer layer) {
    return ((HandLayer) layer).paramSpecs();
  }

  @Override
  public long numParams(NeuralNetConfiguration conf) {
    return numParams(conf.getLayer());
  }

  @Override
  public long numParams(Layer layer) {
    long n = 0;
    for (ParamSpec s : specs(layer)) {
      n += s.length();
    }
    return n;
  }

  @Override
  public List<String> paramKeys(Layer layer) {
    List<String> out = new ArrayList<>();
    specs(layer).forEach(s -> out.add(s.name()));
    return out;
  }

  @Override
  public List<String> weightKeys(Layer layer) {
    List<String> out = new ArrayList<>();
    specs(layer).stream().filter(s -> !s.bias()).forEach(s -> out.add(s.name()));
    return out;
  }

  @Override
  public List<String> biasKeys(Layer layer) {
    List<String> out = new ArrayList<>();
    specs(layer).stream().filter(ParamSpec::bias).forEach(s -> out.add(s.name()));
    return out;
  }

  @Override
  public boolean isWeightParam(Layer layer, String key) {
    return weightKeys(layer).contains(key);
  }

  @Override
  public boolean isBiasParam(Layer layer, String key) {
    return biasKeys(layer).contains(key);
  }

  @Override
  public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
    Layer layer = conf.getLayer();
    Map<String, INDArray> views = views(specs(layer), paramsView);
    if (initializeParams) {
      for (ParamSpec s : specs(layer)) {
        fill(views.get(s.name()), s, seed(conf.getSeed(), layer.getLayerName(), s.name()));
      }
    }
    for (ParamSpec s : specs(layer)) {
      conf.addVariable(s.name());
    }
    return views;
  }

  @Override
  public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
    return views(specs(conf.getLayer()), gradientView);
  }

  private static Map<String, INDArray> views(List<ParamSpec> specs, INDArray flat) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    if (specs.isEmpty()) {
      return out;
    }
    INDArray row = flat.reshape(flat.length());
    long at = 0;
    for (ParamSpec s : specs) {
      long n = s.length();
      out.put(s.name(), row.get(NDArrayIndex.interval(at, at + n)).reshape('c', s.shape()));
      at += n;
    }
    return out;
  }

  /** The stream for one parameter: the network seed mixed with the layer's and the parameter's names. */
  static long seed(long networkSeed, String layerName, String paramName) {
    long h = 0xcbf29ce484222325L;
    for (byte b : ((layerName == null ? "" : layerName) + "/" + paramName).getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h ^ (networkSeed * 0x9E3779B97F4A7C15L);
  }

  static void fill(INDArray view, ParamSpec s, long seed) {
    int n = (int) view.length();
    Buf values = Buf.allocate(view.dataType(), n);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      double z = 0;
      if (s.std() != 0) {
        double u = 1 - r.nextDouble();
        z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
      }
      values.set(i, s.constant() + s.std() * z);
    }
    Native.write(values, view);
  }
}
