package io.sparkvlm.detect;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.DetectorModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.text.Tokenizer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A trained detector ready to answer queries: its checkpoint, the CLIP whose text tower embeds the queries (the
 * checkpoint's parent unless another is named) and the query template it was trained with.
 */
public record Detector(ModelCheckpoints.Loaded checkpoint, DetectorModel.Shape shape, ModelCheckpoints.Loaded clip,
    QueryTemplate template) {

  /** A detection in the image's pixels: query, COCO [x, y, w, h], score. */
  public record Found(int query, double[] xywh, double score) {}

  /** Loads {@code location}; {@code clipLocation} empty: the CLIP recorded as the checkpoint's first parent. */
  public static Detector load(String key, String location, Optional<String> clipLocation, Configuration conf)
      throws IOException {
    ModelCheckpoints.Loaded det = ModelCheckpoints.loadFor(key, location, conf);
    DetectorModel.Shape shape = det.as(ModelArchitecture.Detector.class, key).shape();
    String clipAt = clipLocation.orElseGet(() -> det.manifest().parents().stream().findFirst().orElseThrow(() ->
        new CheckpointError("Checkpoint " + det.location() + " records no parent CLIP: name one")));
    ModelCheckpoints.Loaded clip = ModelCheckpoints.loadFor(key + " (its CLIP)", clipAt, conf);
    ClipShape clipShape = clip.as(ModelArchitecture.Clip.class, key + " (its CLIP)").shape();
    if (clipShape.embedDim() != shape.embedDim()) {
      throw new CheckpointError("CLIP " + clip.location() + " embeds in " + clipShape.embedDim() + " dimensions, "
          + "detector " + det.location() + " in " + shape.embedDim());
    }
    return new Detector(det, shape, clip, QueryTemplate.of(det.manifest(), det.location()));
  }

  /** [Q][D] unit embeddings of {@code queries} through the template and the CLIP's text tower. */
  public double[][] embed(List<String> queries) throws IOException {
    ClipShape s = clip.as(ModelArchitecture.Clip.class, "clip").shape();
    Tokenizer tok = clip.requireTokenizer();
    List<int[]> tokens = queries.stream().map(q -> ClipInputs.tokens(tok, template.text(q), s.contextLength()))
        .toList();
    return ClipEmbeddings.texts(clip.model(), s, tokens, 64);
  }

  /**
   * Detections in each of {@code images} (encoded bytes, with their pixel sizes) for each query (unit text
   * embeddings, {@link #embed}; the detector's adapter is applied here): per query, the
   * {@code perQuery} best boxes after non-maximum suppression.
   */
  public static List<List<Found>> detect(ComputationGraph detector, DetectorModel.Shape shape, List<byte[]> images,
      List<int[]> sizes, double[][] queries, int perQuery) {
    List<float[]> pixels = new ArrayList<>();
    for (byte[] image : images) {
      pixels.add(CocoInstances.framedPixels(image, shape.vision()));
    }
    return detectPixels(detector, shape, pixels, sizes, queries, perQuery);
  }

  /** As {@link #detect} for images already decoded: the boxes are in each image's own pixels. */
  public static List<List<Found>> detectDecoded(ComputationGraph detector, DetectorModel.Shape shape,
      List<BufferedImage> images, double[][] queries, int perQuery) {
    List<float[]> pixels = new ArrayList<>();
    List<int[]> sizes = new ArrayList<>();
    for (BufferedImage image : images) {
      pixels.add(CocoInstances.framedPixels(image, shape.vision()));
      sizes.add(new int[] {image.getWidth(), image.getHeight()});
    }
    return detectPixels(detector, shape, pixels, sizes, queries, perQuery);
  }

  private static List<List<Found>> detectPixels(ComputationGraph detector, DetectorModel.Shape shape,
      List<float[]> pixels, List<int[]> sizes, double[][] queries, int perQuery) {
    double[][][] rows = DetectorModel.predictions(detector, shape, ClipInputs.images(pixels,
        shape.vision().imageSize()));
    double[][] adapted = DetectorModel.adaptQueries(detector, shape, queries);
    List<List<Found>> out = new ArrayList<>();
    for (int i = 0; i < pixels.size(); i++) {
      List<Found> found = new ArrayList<>();
      for (DetectorModel.Detection d : DetectorModel.detect(rows[i], shape.outputs(), adapted, perQuery)) {
        found.add(new Found(d.query(), CocoInstances.toPixels(d.box(), sizes.get(i)[0], sizes.get(i)[1]),
            d.score()));
      }
      out.add(found);
    }
    return out;
  }
}
