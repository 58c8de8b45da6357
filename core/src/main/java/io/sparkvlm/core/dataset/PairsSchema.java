package io.sparkvlm.core.dataset;

import java.util.Optional;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code pairs} v1: what ingest writes and what filter and pretrain read. One row per input row, whatever
 * happened to it (img2dataset's convention): {@link PairStatus} says what, {@code error_message} why. Rows may carry
 * further columns from the input (ingest.input.carry).
 */
public final class PairsSchema {
  private PairsSchema() {}

  /** Stable key: shard number and index in shard, e.g. {@code 000120042}. */
  public static final String KEY = Columns.KEY;
  /** Source URL; null for samples read from tar shards or folders without one. */
  public static final String URL = "url";
  /** Cleaned caption ("" when the input had none). */
  public static final String CAPTION = "caption";
  /** Encoded image (after resize); null unless status is success or duplicate. */
  public static final String IMAGE = "image";
  /** Encoding of {@link #IMAGE}: jpeg or png. */
  public static final String FORMAT = "format";
  public static final String WIDTH = "width";
  public static final String HEIGHT = "height";
  public static final String ORIGINAL_WIDTH = "original_width";
  public static final String ORIGINAL_HEIGHT = "original_height";
  /** sha256 (hex) of the bytes as downloaded or read, before decoding. */
  public static final String SHA256 = "sha256";
  /** 64-bit DCT perceptual hash of the decoded image. */
  public static final String PHASH = "phash";
  public static final String STATUS = Columns.STATUS;
  public static final String ERROR_MESSAGE = Columns.ERROR_MESSAGE;
  /** Where the row came from: the input file (and tar member) it was read from. */
  public static final String SOURCE = "source";
  /** For duplicates: the key of the copy that was kept. */
  public static final String DUPLICATE_OF = "duplicate_of";

  public static final StructType COLUMNS = new StructType()
      .add(KEY, DataTypes.StringType, false)
      .add(URL, DataTypes.StringType, true)
      .add(CAPTION, DataTypes.StringType, true)
      .add(IMAGE, DataTypes.BinaryType, true)
      .add(FORMAT, DataTypes.StringType, true)
      .add(WIDTH, DataTypes.IntegerType, true)
      .add(HEIGHT, DataTypes.IntegerType, true)
      .add(ORIGINAL_WIDTH, DataTypes.IntegerType, true)
      .add(ORIGINAL_HEIGHT, DataTypes.IntegerType, true)
      .add(SHA256, DataTypes.StringType, true)
      .add(PHASH, DataTypes.LongType, true)
      .add(STATUS, DataTypes.StringType, false)
      .add(ERROR_MESSAGE, DataTypes.StringType, true)
      .add(SOURCE, DataTypes.StringType, true)
      .add(DUPLICATE_OF, DataTypes.StringType, true);

  public static final DatasetSchema SCHEMA = new DatasetSchema("pairs", 1, COLUMNS, true, Optional.of(STATUS));
}
