package io.sparkvlm.core.dataset;

import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The filter stage's output: a {@code pairs} dataset (so {@code vlm pretrain clip} reads it unchanged and trains on
 * its {@code success} rows) with one row per text and three more columns: where the text came from, and the
 * filter's scores. A web text the filter dropped, and a synthetic caption it dropped, stay as {@link
 * PairStatus#FILTERED} rows; input rows that were not successful pass through as they were. Keys: the web row's
 * own key for its web text, {@code KEY#s<i>} for its i-th synthetic caption, {@code seed-<id>-<j>} for seed pairs.
 */
public final class BootstrappedPairs {
  private BootstrappedPairs() {}

  /** web, synthetic or seed ({@link TextSource}). */
  public static final String TEXT_SOURCE = "text_source";
  /** The matching model's probability that the text matches the image (null where not scored). */
  public static final String ITM_SCORE = "itm_score";
  /** The CLIP's cosine similarity of image and text (null where not scored). */
  public static final String ITC_SCORE = "itc_score";

  /** Where a text came from. */
  public enum TextSource {
    WEB, SYNTHETIC, SEED;

    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final StructType COLUMNS = PairsSchema.COLUMNS
      .add(TEXT_SOURCE, DataTypes.StringType, false)
      .add(ITM_SCORE, DataTypes.DoubleType, true)
      .add(ITC_SCORE, DataTypes.DoubleType, true);

  /** Written as {@code pairs} v1 with the extra columns: a pairs reader reads it. */
  public static final DatasetSchema SCHEMA = new DatasetSchema(PairsSchema.SCHEMA.name(),
      PairsSchema.SCHEMA.version(), COLUMNS, true, Optional.of(PairsSchema.STATUS));

  /** The key of a web row's i-th synthetic caption. */
  public static String syntheticKey(String webKey, int i) {
    return webKey + "#s" + i;
  }

  /** The key of a seed image's j-th caption. */
  public static String seedKey(String id, int j) {
    return "seed-" + id + "-" + j;
  }
}
