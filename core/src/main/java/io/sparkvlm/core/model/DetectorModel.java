package io.sparkvlm.core.model;

import io.sparkvlm.core.model.detection.DetectionHead;
import io.sparkvlm.core.model.detection.DetectionLabels;
import io.sparkvlm.core.model.detection.DetectionSetLoss;
import io.sparkvlm.core.model.detection.NonMaximumSuppression;
import io.sparkvlm.core.model.layers.Freezable;
import io.sparkvlm.core.model.layers.TokenPool;
import io.sparkvlm.core.model.training.Optimiser;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * OWL-ViT's open-vocabulary detector as a DL4J ComputationGraph: a CLIP's vision tower and a detection head on
 * every patch of its last block, trained with DETR's set loss against text queries:
 *
 * <pre>
 *   image [B, 3, S, S] -> VisionEmbedding -> TransformerBlock x L_v           [B, 1 + P, W]
 *                      -> DetectionHead (class token dropped)                  [B, P, 4 + D + 2]  box, embed, shift, scale
 *                      -> DetectionSetLoss against the labels' queries (through a learned linear adapter) and
 *                         boxes (training only; output = input)
 * </pre>
 *
 * The query texts go through the CLIP's text tower outside the graph ({@link ClipEmbeddings#texts}); the detector
 * compares its class embeddings with whatever queries it is given ({@link #detect}), which is what makes it open
 * vocabulary. Layer names follow {@link ClipModel}, so {@link #initialiseFrom} starts from a trained CLIP; the
 * head's norm and class projection start as the CLIP's image-embedding norm and projection.
 */
public final class DetectorModel {
  public static final String IMAGE = "image";
  public static final String HEAD = "detectionHead";
  public static final String LOSS = "detectionLoss";

  private DetectorModel() {}

  /**
   * The shape: a CLIP's vision tower and joint-space width, the number of training queries and the most boxes an
   * image may have (the loss's label layout).
   */
  public record Shape(String name, VisionTower vision, int embedDim, int queries, int maxBoxes)
      implements java.io.Serializable {
    public static Shape of(ClipShape clip, int queries, int maxBoxes) {
      return new Shape(clip.nameFor("owlvit"), clip.visionTower(), clip.embedDim(), queries, maxBoxes);
    }

    public int patches() {
      return vision.patches();
    }

    public int grid() {
      return vision.imageSize() / vision.patchSize();
    }

    public DetectionLabels labels() {
      return new DetectionLabels(queries, embedDim, maxBoxes);
    }

    public DetectionHead.Outputs outputs() {
      return new DetectionHead.Outputs(embedDim);
    }
  }

  /** Whether training moves the vision tower too, or only the head (OWL-ViT fine-tunes both). */
  public enum Trainable { HEAD, ALL }

  public static ComputationGraph build(Shape s, Optimiser optimiser, DataType dataType, long seed, Trainable t) {
    return init(configuration(s, optimiser.applyTo(new NeuralNetConfiguration.Builder()), dataType, seed, t));
  }

  /** With a plain updater (gradient checks, tests). */
  public static ComputationGraph build(Shape s, IUpdater updater, DataType dataType, long seed, Trainable t) {
    return init(configuration(s, new NeuralNetConfiguration.Builder().updater(updater), dataType, seed, t));
  }

  private static ComputationGraph init(ComputationGraphConfiguration conf) {
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    INDArray w = g.getLayer(LOSS).getParam(DetectionSetLoss.QUERY_W);
    w.assign(org.nd4j.linalg.factory.Nd4j.eye(w.rows()).castTo(w.dataType()));      // the adapter starts as identity
    return g;
  }

  /** Unit text embeddings [Q][D] through the detector's learned query adapter: what its class embeddings meet. */
  public static double[][] adaptQueries(ComputationGraph detector, Shape s, double[][] queries) {
    double[] w = detector.getLayer(LOSS).getParam(DetectionSetLoss.QUERY_W).castTo(DataType.DOUBLE).dup('c').data()
        .asDouble();
    return DetectionSetLoss.adapt(queries, w, s.embedDim());
  }

  private static ComputationGraphConfiguration configuration(Shape s, NeuralNetConfiguration.Builder base,
      DataType dataType, long seed, Trainable trainable) {
    VisionTower v = s.vision();
    java.util.function.Function<Freezable, Layer> wrap = trainable == Trainable.ALL ? Freezable::trained
        : ClipModel::frozen;
    var b = base.dataType(dataType).seed(seed).graphBuilder()
        .addInputs(IMAGE)
        .setInputTypes(InputType.convolutional(v.imageSize(), v.imageSize(), 3));
    String last = ClipModel.addVisionTower(b, IMAGE, v, v.tower().layers(), wrap);
    b.addLayer(HEAD, new DetectionHead(v.tower().width(), s.embedDim(), s.patches()), last);
    b.addLayer(LOSS, new DetectionSetLoss(s.embedDim(), s.patches(), s.queries(), s.maxBoxes()), HEAD);
    return b.setOutputs(LOSS).build();
  }

  /**
   * Starts from a trained CLIP: its vision tower, and for the head its image-embedding layer norm and projection.
   * Returns the layers copied.
   */
  public static List<String> initialiseFrom(ComputationGraph detector, Shape s, ComputationGraph clip) {
    List<String> copied = new ArrayList<>(Weights.copyLayers(detector,
        new Weights.Source(clip, ClipModel.visionTowerLayers(s.vision().tower().layers()))));
    org.deeplearning4j.nn.api.Layer pool = clip.getLayer(ClipModel.IMAGE_EMBEDDING);
    org.deeplearning4j.nn.api.Layer head = detector.getLayer(HEAD);
    head.setParam(DetectionHead.LN_GAIN, pool.getParam(TokenPool.LN_GAIN));
    head.setParam(DetectionHead.LN_BIAS, pool.getParam(TokenPool.LN_BIAS));
    head.setParam(DetectionHead.CLASS_W, pool.getParam(TokenPool.PROJECTION));
    copied.add(ClipModel.IMAGE_EMBEDDING + " -> " + HEAD);
    return copied;
  }

  /** [images][patches][F]: the head's output rows for a batch of images [B, 3, S, S]. */
  public static double[][][] predictions(ComputationGraph detector, Shape s, INDArray images) {
    INDArray out = detector.feedForward(images, false).get(HEAD).castTo(DataType.DOUBLE);   // [B, P, F]
    int b = (int) out.size(0);
    int f = s.outputs().width();
    double[] flat = out.dup('c').data().asDouble();
    double[][][] rows = new double[b][s.patches()][f];
    for (int i = 0; i < b; i++) {
      for (int p = 0; p < s.patches(); p++) {
        System.arraycopy(flat, (i * s.patches() + p) * f, rows[i][p], 0, f);
      }
    }
    return rows;
  }

  /** A detection: query index, normalised (cx, cy, w, h) and the probability sigmoid(logit). */
  public record Detection(int query, double[] box, double score) {}

  /**
   * One image's detections for {@code queries}, unit text embeddings already through the detector's adapter
   * ({@link #adaptQueries}): per query, its patches by score, kept greedily
   * while they overlap a kept box by at most {@link NonMaximumSuppression#IOU}, at most {@code perQuery}.
   */
  public static List<Detection> detect(double[][] rows, DetectionHead.Outputs o, double[][] queries, int perQuery) {
    List<Detection> out = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      List<Detection> candidates = new ArrayList<>();
      for (double[] row : rows) {
        double logit = o.logit(row, queries[q]);
        candidates.add(new Detection(q, o.box(row), 1 / (1 + Math.exp(-logit))));
      }
      out.addAll(NonMaximumSuppression.keep(candidates, Detection::score, d -> NonMaximumSuppression.xywh(d.box()),
          perQuery));
    }
    return out;
  }
}
