package io.sparkvlm.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Finds duplicates among successful rows, with Spark (no driver loops): exact copies share a sha256; near copies
 * have perceptual hashes within {@code t} bits, found by LSH banding: the 64 bits are cut into t+1 bands, so two
 * hashes within t bits agree exactly on at least one band (pigeonhole); rows sharing a band value are candidates,
 * verified by their Hamming distance. The row with the smallest key is kept; every other row of a group gets
 * status duplicate and {@code duplicate_of} = the smallest key it duplicates.
 */
final class Dedup {
  static final String DUP_KEY = "dup_key";
  static final String DUP_OF = "dup_of";
  static final String DUP_MESSAGE = "dup_message";

  private Dedup() {}

  /** Columns dup_key (the duplicate's key), dup_of, dup_message for every duplicate row. */
  static Dataset<Row> duplicates(Dataset<Row> rows, IngestConfig.Dedup config) {
    Dataset<Row> ok = rows.where(col(PairsSchema.STATUS).equalTo(PairStatus.SUCCESS.value()))
        .select(PairsSchema.KEY, PairsSchema.SHA256, PairsSchema.PHASH);
    Dataset<Row> exact = ok.sparkSession().emptyDataFrame()
        .select(lit(null).cast("string").as(DUP_KEY), lit(null).cast("string").as(DUP_OF),
            lit(null).cast("string").as(DUP_MESSAGE)).limit(0);
    if (config.exact()) {
      Column firstKey = first(PairsSchema.KEY).over(Window.partitionBy(PairsSchema.SHA256).orderBy(PairsSchema.KEY));
      exact = ok.withColumn(DUP_OF, firstKey).where(col(PairsSchema.KEY).notEqual(col(DUP_OF)))
          .select(col(PairsSchema.KEY).as(DUP_KEY), col(DUP_OF),
              concat(lit("exact duplicate of "), col(DUP_OF)).as(DUP_MESSAGE));
    }
    if (!config.near()) {
      return exact;
    }
    int t = config.hammingThreshold();
    Dataset<Row> candidates = ok.join(exact.select(DUP_KEY), ok.col(PairsSchema.KEY)
        .equalTo(exact.col(DUP_KEY)), "left_anti");
    Dataset<Row> banded = candidates.select(col(PairsSchema.KEY), col(PairsSchema.PHASH),
        explode(bands(t)).as("band")).select(col(PairsSchema.KEY), col(PairsSchema.PHASH),
        col("band.i").as("band_i"), col("band.v").as("band_v"));
    Dataset<Row> a = banded.as("a");
    Dataset<Row> b = banded.as("b");
    Dataset<Row> near = a.join(b, col("a.band_i").equalTo(col("b.band_i"))
            .and(col("a.band_v").equalTo(col("b.band_v")))
            .and(col("a." + PairsSchema.KEY).lt(col("b." + PairsSchema.KEY))))
        .where(expr("bit_count(a.phash ^ b.phash) <= " + t))
        .groupBy(col("b." + PairsSchema.KEY).as(DUP_KEY))
        .agg(min(col("a." + PairsSchema.KEY)).as(DUP_OF))
        .select(col(DUP_KEY), col(DUP_OF), concat(lit("near duplicate of "), col(DUP_OF),
            lit(" (perceptual hash within " + t + " bits)")).as(DUP_MESSAGE));
    return exact.unionByName(near);
  }

  /** t+1 bands of the 64-bit hash, as structs (i, v). */
  private static Column bands(int t) {
    int n = t + 1;
    int width = 64 / n;
    List<Column> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int shift = i * width;
      int bits = i == n - 1 ? 64 - shift : width;
      long mask = bits == 64 ? -1L : (1L << bits) - 1;
      out.add(struct(lit(i).as("i"), expr("shiftrightunsigned(phash, " + shift + ") & " + mask + "L").as("v")));
    }
    return array(out.toArray(Column[]::new));
  }
}
