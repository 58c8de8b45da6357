package io.sparkvlm.core.testing;

import io.sparkvlm.core.dataset.Columns;
import io.sparkvlm.core.dataset.DatasetSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A small schema and rows for contract tests: key, value, status, error_message. */
public final class TestRows {
  public static final StructType TYPE = new StructType()
      .add(Columns.KEY, DataTypes.StringType, false)
      .add("value", DataTypes.LongType, false)
      .add(Columns.STATUS, DataTypes.StringType, false)
      .add(Columns.ERROR_MESSAGE, DataTypes.StringType, true);

  public static final DatasetSchema SCHEMA =
      new DatasetSchema("test-rows", 1, TYPE, false, Optional.of(Columns.STATUS));

  private TestRows() {}

  /** {@code n} rows; every third one failed. */
  public static Dataset<Row> rows(SparkSession spark, int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean failed = i % 3 == 2;
      rows.add(RowFactory.create(String.format("%05d", i), (long) i * i, failed ? "failed" : "success",
          failed ? "value " + i + " is unlucky" : null));
    }
    return spark.createDataFrame(rows, TYPE).repartition(3);
  }

  /** How many of {@link #rows}'s {@code n} rows failed. */
  public static long failed(int n) {
    return n / 3;
  }
}
