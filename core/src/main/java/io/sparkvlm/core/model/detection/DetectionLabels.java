package io.sparkvlm.core.model.detection;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The labels of a detection batch, one row per image, as {@link DetectionSetLoss} reads them:
 *
 * <pre>
 *   [ query 0 .. query Q-1 (unit text embeddings, D each) | box 0 .. box M-1 (cx, cy, w, h, query index) ]
 * </pre>
 *
 * a box whose query index is {@link #NO_BOX} is padding (an image has at most M boxes). The queries travel with the
 * labels because the text tower is not part of the detector: they are the training queries' embeddings, the same
 * in every row. Written by {@link #encode} and read by {@link #decode}, here only.
 */
public record DetectionLabels(int queries, int embedDim, int maxBoxes) {
  public static final int NO_BOX = -1;
  /** Values per box: cx, cy, w, h, query. */
  static final int BOX_FIELDS = 5;
  private static final int QUERY_FIELD = 4;

  /** One image's true boxes: normalised (cx, cy, w, h), each with its query's index. */
  public record Truth(double[][] boxes, int[] queries) implements java.io.Serializable {
    public Truth {
      if (boxes.length != queries.length) {
        throw new IllegalArgumentException(boxes.length + " boxes but " + queries.length + " query indices");
      }
    }
  }

  public int width() {
    return queries * embedDim + maxBoxes * BOX_FIELDS;
  }

  /** [images, width] labels; {@code queryEmbeddings}: [Q][D]. An image with more than M boxes is an error. */
  public INDArray encode(double[][] queryEmbeddings, List<Truth> images) {
    if (queryEmbeddings.length != queries) {
      throw new IllegalArgumentException(queryEmbeddings.length + " query embeddings, the loss was built for "
          + queries);
    }
    double[] row = new double[width()];
    for (int q = 0; q < queries; q++) {
      if (queryEmbeddings[q].length != embedDim) {
        throw new IllegalArgumentException("query " + q + " has " + queryEmbeddings[q].length + " values, not "
            + embedDim);
      }
      System.arraycopy(queryEmbeddings[q], 0, row, q * embedDim, embedDim);
    }
    double[] all = new double[images.size() * width()];
    for (int i = 0; i < images.size(); i++) {
      Truth t = images.get(i);
      if (t.boxes().length > maxBoxes) {
        throw new IllegalArgumentException("an image has " + t.boxes().length + " boxes, more than the detector's "
            + maxBoxes + " (max-boxes)");
      }
      int base = queries * embedDim;
      for (int j = 0; j < maxBoxes; j++) {
        row[base + j * BOX_FIELDS + QUERY_FIELD] = NO_BOX;
      }
      for (int j = 0; j < t.boxes().length; j++) {
        if (t.queries()[j] < 0 || t.queries()[j] >= queries) {
          throw new IllegalArgumentException("a box's query " + t.queries()[j] + " is not one of the " + queries);
        }
        System.arraycopy(t.boxes()[j], 0, row, base + j * BOX_FIELDS, 4);
        row[base + j * BOX_FIELDS + QUERY_FIELD] = t.queries()[j];
      }
      System.arraycopy(row, 0, all, i * width(), width());
      java.util.Arrays.fill(row, base, width(), 0);
    }
    return Nd4j.create(all, new long[] {images.size(), width()}, 'c').castTo(DataType.FLOAT);
  }

  /** Row {@code row} of flat labels: the query embeddings [Q][D]. */
  double[][] queryEmbeddings(double[] labels, int row) {
    double[][] out = new double[queries][embedDim];
    for (int q = 0; q < queries; q++) {
      System.arraycopy(labels, row * width() + q * embedDim, out[q], 0, embedDim);
    }
    return out;
  }

  /** Row {@code row} of flat labels: its true boxes. */
  Truth truth(double[] labels, int row) {
    int base = row * width() + queries * embedDim;
    List<double[]> boxes = new ArrayList<>();
    List<Integer> query = new ArrayList<>();
    for (int j = 0; j < maxBoxes; j++) {
      int q = (int) Math.round(labels[base + j * BOX_FIELDS + QUERY_FIELD]);
      if (q == NO_BOX) {
        continue;
      }
      boxes.add(java.util.Arrays.copyOfRange(labels, base + j * BOX_FIELDS, base + j * BOX_FIELDS + 4));
      query.add(q);
    }
    return new Truth(boxes.toArray(new double[0][]), query.stream().mapToInt(Integer::intValue).toArray());
  }
}
