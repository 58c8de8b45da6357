package io.sparkvlm.detect;

import io.sparkvlm.core.dataset.DetectionsSchema;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.DetectorModel;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Rows of a pairs dataset -> rows of a {@link DetectionsSchema detections} dataset, one for one and in order: what
 * {@code vlm detect pairs} does on each executor, a batch at a time.
 */
final class PairDetections {
  /** The pairs columns a batch's rows carry (read by name). */
  static final List<String> INPUT_COLUMNS = List.of(PairsSchema.KEY, PairsSchema.URL, PairsSchema.STATUS,
      PairsSchema.ERROR_MESSAGE, PairsSchema.IMAGE);

  /** {@link #INPUT_COLUMNS} as a selection. */
  static Column[] inputColumns() {
    return INPUT_COLUMNS.stream().map(functions::col).toArray(Column[]::new);
  }

  private PairDetections() {}

  /** What to ask and what to keep: the query texts with their embeddings, boxes per query, the score floor. */
  record Queries(List<String> texts, double[][] embeddings, int perQuery, double minScore)
      implements java.io.Serializable {}

  /**
   * One output row per input row: a {@code success} row's image decoded and searched for every query (or
   * {@code failed_to_decode} with the decoder's message); any other row keeps its status and error, without
   * detections. Rows of the batch with the same image bytes (a bootstrapped dataset's kept texts of one image) are
   * decoded and searched once and get the same boxes.
   */
  static List<Row> detect(ComputationGraph detector, DetectorModel.Shape shape, List<Row> batch, Queries q) {
    Row[] out = new Row[batch.size()];
    List<BufferedImage> images = new ArrayList<>();
    int[] imageOfRow = new int[batch.size()];                     // index into images, or NO_IMAGE
    Map<ImageBytes, Integer> searched = new HashMap<>();         // bytes -> index into images
    Map<ImageBytes, String> undecodable = new HashMap<>();       // bytes -> the decoder's message
    for (int i = 0; i < batch.size(); i++) {
      imageOfRow[i] = NO_IMAGE;
      Row r = batch.get(i);
      String key = r.getAs(PairsSchema.KEY);
      String url = r.getAs(PairsSchema.URL);
      String status = r.getAs(PairsSchema.STATUS);
      if (!PairStatus.SUCCESS.value().equals(status)) {
        out[i] = DetectionsSchema.row(key, url, status, r.getAs(PairsSchema.ERROR_MESSAGE), null, null, null);
        continue;
      }
      byte[] bytes = r.getAs(PairsSchema.IMAGE);
      if (bytes == null) {
        out[i] = failedToDecode(key, url, "a success row without image bytes");
        continue;
      }
      ImageBytes image = new ImageBytes(bytes);
      Integer seen = searched.get(image);
      if (seen != null) {
        imageOfRow[i] = seen;
        continue;
      }
      String failure = undecodable.get(image);
      if (failure == null) {
        try {
          images.add(ClipInputs.decode(bytes));
          searched.put(image, images.size() - 1);
          imageOfRow[i] = images.size() - 1;
          continue;
        } catch (RuntimeException e) {
          // ImageIO's decoders throw more than IllegalArgumentException on malformed files
          failure = e.getMessage() == null ? e.toString() : e.getMessage();
          undecodable.put(image, failure);
        }
      }
      out[i] = failedToDecode(key, url, failure);
    }
    if (!images.isEmpty()) {
      List<List<Detector.Found>> found = Detector.detectDecoded(detector, shape, images, q.embeddings(),
          q.perQuery());
      List<List<Row>> boxes = new ArrayList<>(images.size());
      found.forEach(f -> boxes.add(detections(f, q)));
      for (int i = 0; i < batch.size(); i++) {
        int j = imageOfRow[i];
        if (j != NO_IMAGE) {
          Row r = batch.get(i);
          BufferedImage image = images.get(j);
          out[i] = DetectionsSchema.row(r.getAs(PairsSchema.KEY), r.getAs(PairsSchema.URL),
              PairStatus.SUCCESS.value(), null, image.getWidth(), image.getHeight(), boxes.get(j));
        }
      }
    }
    return Arrays.asList(out);
  }

  private static final int NO_IMAGE = -1;

  /** Encoded image bytes compared by content (a byte[] is compared by identity). */
  private record ImageBytes(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ImageBytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /** The detections at or above the score floor, in the detector's order (per query, best first). */
  static List<Row> detections(List<Detector.Found> found, Queries q) {
    List<Row> out = new ArrayList<>();
    for (Detector.Found f : found) {
      if (f.score() >= q.minScore()) {
        double[] b = f.xywh();
        out.add(DetectionsSchema.detection(q.texts().get(f.query()), f.score(), b[0], b[1], b[2], b[3]));
      }
    }
    return out;
  }

  private static Row failedToDecode(String key, String url, String why) {
    return DetectionsSchema.row(key, url, PairStatus.FAILED_TO_DECODE.value(), why, null, null, null);
  }
}
