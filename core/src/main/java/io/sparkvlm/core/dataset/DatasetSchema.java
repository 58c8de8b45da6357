package io.sparkvlm.core.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A named, versioned Parquet schema: the contract between the stage that writes a dataset and the stages that
 * read it. Column names live as constants next to each schema (see {@link Columns}).
 *
 * @param name schema name recorded in the manifest, e.g. {@code pairs}
 * @param version schema version; a reader refuses versions it does not know
 * @param columns required columns, by name and type (order does not matter)
 * @param extraColumnsAllowed whether rows may carry further columns (e.g. ingest's carried-through source columns)
 * @param statusColumn the column whose values the manifest counts rows by, if any
 */
public record DatasetSchema(String name, int version, StructType columns, boolean extraColumnsAllowed,
    Optional<String> statusColumn) {

  /** Problems of {@code actual} against this schema, one readable line each; empty when it conforms. */
  public List<String> problems(StructType actual) {
    List<String> problems = new ArrayList<>();
    for (StructField expected : columns.fields()) {
      Optional<StructField> found = find(actual, expected.name());
      if (found.isEmpty()) {
        problems.add("missing column '" + expected.name() + "' (" + expected.dataType().simpleString() + ")");
      } else if (!sameType(expected.dataType(), found.get().dataType())) {
        problems.add("column '" + expected.name() + "' is " + found.get().dataType().simpleString()
            + ", expected " + expected.dataType().simpleString());
      }
    }
    if (!extraColumnsAllowed) {
      for (StructField field : actual.fields()) {
        if (find(columns, field.name()).isEmpty()) {
          problems.add("unexpected column '" + field.name() + "'");
        }
      }
    }
    return problems;
  }

  private static Optional<StructField> find(StructType type, String name) {
    for (StructField f : type.fields()) {
      if (f.name().equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Types compared without nullability, which Parquet round trips do not preserve. */
  private static boolean sameType(DataType expected, DataType actual) {
    return DataType.equalsIgnoreNullability(expected, actual);
  }

  public String id() {
    return name + " v" + version;
  }
}
