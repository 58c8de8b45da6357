package io.sparkvlm.core.model.layers;

import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * A layer that can sit in a frozen part of a model: it gives up its weight decay. DL4J 1.0.0-M2.1's frozen
 * wrappers hand the updater the underlying layer's configuration, so a frozen layer's own decay would still shrink
 * its "frozen" parameters (caught by the locked-image tests).
 */
public interface Freezable {
  /** No weight decay for any parameter of this layer; returns this layer. */
  Layer exemptFromWeightDecay();

  /** The layer as it is, trained (the wrap of a part that is not frozen). Freezable layers are layers. */
  static Layer trained(Freezable layer) {
    return (Layer) layer;
  }
}
