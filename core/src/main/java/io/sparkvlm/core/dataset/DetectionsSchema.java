package io.sparkvlm.core.dataset;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * {@code detections} v1: what {@code vlm detect pairs} writes, one row per row of the pairs dataset it read, whatever
 * its status (img2dataset's convention, as in {@link PairsSchema}). A {@code success} row holds its image's
 * detections (possibly none above the score floor); a pairs row that had no image keeps its status and error, with no
 * detections; an image that did not decode is {@code failed_to_decode} with the decoder's message.
 */
public final class DetectionsSchema {
  private DetectionsSchema() {}

  /** The pairs row's key. */
  public static final String KEY = Columns.KEY;
  /** The pairs row's source URL (null where the pairs row has none). */
  public static final String URL = PairsSchema.URL;
  public static final String STATUS = Columns.STATUS;
  public static final String ERROR_MESSAGE = Columns.ERROR_MESSAGE;
  /** The image's size in pixels, which the boxes are in; null where no image was read. */
  public static final String WIDTH = PairsSchema.WIDTH;
  public static final String HEIGHT = PairsSchema.HEIGHT;
  /** The boxes found, best first per query; null where no image was read. */
  public static final String DETECTIONS = "detections";

  /** One detection: the query text it answers, its score (a probability) and its box, COCO's [x, y, w, h]. */
  public static final String QUERY = "query";
  public static final String SCORE = "score";
  public static final String X = "x";
  public static final String Y = "y";
  public static final String BOX_WIDTH = "width";
  public static final String BOX_HEIGHT = "height";

  public static final StructType DETECTION = new StructType()
      .add(QUERY, DataTypes.StringType, false)
      .add(SCORE, DataTypes.DoubleType, false)
      .add(X, DataTypes.DoubleType, false)
      .add(Y, DataTypes.DoubleType, false)
      .add(BOX_WIDTH, DataTypes.DoubleType, false)
      .add(BOX_HEIGHT, DataTypes.DoubleType, false);

  public static final StructType COLUMNS = new StructType()
      .add(KEY, DataTypes.StringType, false)
      .add(URL, DataTypes.StringType, true)
      .add(STATUS, DataTypes.StringType, false)
      .add(ERROR_MESSAGE, DataTypes.StringType, true)
      .add(WIDTH, DataTypes.IntegerType, true)
      .add(HEIGHT, DataTypes.IntegerType, true)
      .add(DETECTIONS, new ArrayType(DETECTION, false), true);

  public static final DatasetSchema SCHEMA = new DatasetSchema("detections", 1, COLUMNS, false, Optional.of(STATUS));

  /** A row of {@link #COLUMNS}; {@code width}, {@code height} and {@code detections} null where no image was read. */
  public static Row row(String key, String url, String status, String errorMessage, Integer width, Integer height,
      List<Row> detections) {
    // an array column's value in an external row is a Scala Seq
    return RowFactory.create(key, url, status, errorMessage, width, height,
        detections == null ? null : JavaConverters.asScalaBuffer(detections).toList());
  }

  /** An element of {@link #DETECTIONS}: a box [x, y, width, height] in the image's pixels. */
  public static Row detection(String query, double score, double x, double y, double width, double height) {
    return RowFactory.create(query, score, x, y, width, height);
  }
}
