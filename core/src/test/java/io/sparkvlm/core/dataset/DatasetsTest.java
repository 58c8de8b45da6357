package io.sparkvlm.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.core.testing.TestRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;

  private final SparkSession spark = SparkTestSessions.local();

  private DatasetManifest writeAndCommit(String location, int n, boolean overwrite, List<InputRef> inputs) {
    Datasets.writeRows(TestRows.rows(spark, n), location, TestRows.SCHEMA, overwrite);
    return Datasets.commit(spark, new Datasets.WrittenDataset(location, TestRows.SCHEMA, inputs),
        new Datasets.Provenance("test-stage", JsonNodeFactory.instance.objectNode().put("k", "v"),
            Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void parquetRoundTripWithManifestOnTheLocalFileSystem() throws Exception {
    Path input = dir.resolve("input.txt");
    Files.writeString(input, "hello");
    String out = dir.resolve("out").toString();
    InputRef ref = InputRef.of(input.toString(), spark.sparkContext().hadoopConfiguration());
    DatasetManifest written = writeAndCommit(out, 30, false, List.of(ref));

    // sha256("hello")
    assertThat(ref.kind()).isEqualTo("file");
    assertThat(ref.sha256()).isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");

    Dataset<Row> back = Datasets.read(spark, out, TestRows.SCHEMA);
    assertThat(back.count()).isEqualTo(30);
    assertThat(back.orderBy("key").first().getString(0)).isEqualTo("00000");
    assertThat(back.filter("status = 'failed'").count()).isEqualTo(TestRows.failed(30));
    assertThat(back.collectAsList()).containsExactlyInAnyOrderElementsOf(TestRows.rows(spark, 30).collectAsList());

    DatasetManifest read = Datasets.readManifest(out, spark.sparkContext().hadoopConfiguration());
    assertThat(read).isEqualTo(written);
    assertThat(read.schema()).isEqualTo(new DatasetManifest.SchemaRef("test-rows", 1));
    assertThat(read.rows().total()).isEqualTo(30);
    assertThat(read.rows().byStatus()).containsEntry("success", 20L).containsEntry("failed", 10L);
    assertThat(read.stage()).isEqualTo("test-stage");
    assertThat(read.inputs()).containsExactly(ref);
    assertThat(read.config().get("k").asText()).isEqualTo("v");
    assertThat(read.versions()).containsKeys("java", "spark", "dl4j", "spark_vlm", "nd4j_backend");
    assertThat(read.versions().get("spark")).isEqualTo(spark.version());
    assertThat(read.startedAt()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(Instant.parse(read.finishedAt())).isAfter(Instant.parse(read.startedAt()));
  }

  @Test
  void aDatasetInputIsHashedByItsManifest() throws Exception {
    String out = dir.resolve("ds").toString();
    writeAndCommit(out, 5, false, List.of());
    InputRef ref = InputRef.of(out, spark.sparkContext().hadoopConfiguration());
    assertThat(ref.kind()).isEqualTo("dataset");
    Files.writeString(dir.resolve("folder-a.txt"), "x");
    InputRef folder = InputRef.of(dir.resolve("ds").toString() + "/..", spark.sparkContext().hadoopConfiguration());
    assertThat(folder.kind()).isEqualTo("listing");
  }

  @Test
  void refusesADatasetWithoutManifest() {
    String out = dir.resolve("half").toString();
    Datasets.writeRows(TestRows.rows(spark, 5), out, TestRows.SCHEMA, false);
    assertThatThrownBy(() -> Datasets.read(spark, out, TestRows.SCHEMA))
        .isInstanceOf(DatasetError.class)
        .hasMessageContaining("is incomplete")
        .hasMessageContaining("_manifest.json");
  }

  @Test
  void refusesAMissingPath() {
    assertThatThrownBy(() -> Datasets.read(spark, dir.resolve("nothing").toString(), TestRows.SCHEMA))
        .hasMessageContaining("the path does not exist");
  }

  @Test
  void refusesAnotherSchemaOrAnUnknownVersion() {
    String out = dir.resolve("v1").toString();
    writeAndCommit(out, 5, false, List.of());
    DatasetSchema v2 = new DatasetSchema("test-rows", 2, TestRows.TYPE, false, Optional.empty());
    assertThatThrownBy(() -> Datasets.read(spark, out, v2))
        .hasMessageContaining("schema test-rows version 1")
        .hasMessageContaining("reads version 2 only");
    DatasetSchema other = new DatasetSchema("pairs", 1, TestRows.TYPE, false, Optional.empty());
    assertThatThrownBy(() -> Datasets.read(spark, out, other))
        .hasMessageContaining("holds schema 'test-rows', but this stage reads 'pairs'");
  }

  @Test
  void refusesParquetThatDoesNotMatchItsClaimedSchema() {
    String out = dir.resolve("mismatch").toString();
    writeAndCommit(out, 5, false, List.of());
    DatasetSchema wantsMore = new DatasetSchema("test-rows", 1,
        TestRows.TYPE.add("caption", DataTypes.StringType), false, Optional.empty());
    assertThatThrownBy(() -> Datasets.read(spark, out, wantsMore))
        .hasMessageContaining("missing column 'caption' (string)");
  }

  @Test
  void refusesToWriteRowsOfTheWrongShape() {
    Dataset<Row> wrong = TestRows.rows(spark, 3).withColumn("value", org.apache.spark.sql.functions.lit("x"))
        .withColumn("extra", org.apache.spark.sql.functions.lit(1));
    assertThatThrownBy(() -> Datasets.writeRows(wrong, dir.resolve("w").toString(), TestRows.SCHEMA, false))
        .hasMessageContaining("column 'value' is string, expected bigint")
        .hasMessageContaining("unexpected column 'extra'");
  }

  @Test
  void refusesToReplaceAnExistingDatasetUnlessOverwriting() {
    String out = dir.resolve("exists").toString();
    writeAndCommit(out, 6, false, List.of());
    assertThatThrownBy(() -> writeAndCommit(out, 9, false, List.of()))
        .isInstanceOf(DatasetError.class)
        .hasMessageContaining("already exists; pass --overwrite");
    assertThat(Datasets.read(spark, out, TestRows.SCHEMA).count()).isEqualTo(6);

    DatasetManifest replaced = writeAndCommit(out, 9, true, List.of());
    assertThat(replaced.rows().total()).isEqualTo(9);
    assertThat(Datasets.read(spark, out, TestRows.SCHEMA).count()).isEqualTo(9);
  }
}
