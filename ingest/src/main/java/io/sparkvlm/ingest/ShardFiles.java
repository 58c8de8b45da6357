package io.sparkvlm.ingest;

import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;

/**
 * The work folder: one Parquet file per download shard ({@code shards/shard-NNNNN.parquet}) and its stats
 * ({@code stats/shard-NNNNN.json}), each written under a temporary name and renamed. The stats file is written
 * last: a shard is done when its stats exist (img2dataset's rule), so a rerun skips it.
 */
final class ShardFiles {
  private ShardFiles() {}

  static String name(int shard) {
    return String.format("shard-%05d", shard);
  }

  static Path shardPath(String work, int shard) {
    return new Path(work + "/shards/" + name(shard) + ".parquet");
  }

  static Path statsPath(String work, int shard) {
    return new Path(work + "/stats/" + name(shard) + ".json");
  }

  static MessageType schema(List<String> carry) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.KEY);
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.URL);
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.CAPTION);
    b.optional(PrimitiveTypeName.BINARY).named(PairsSchema.IMAGE);
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.FORMAT);
    b.optional(PrimitiveTypeName.INT32).named(PairsSchema.WIDTH);
    b.optional(PrimitiveTypeName.INT32).named(PairsSchema.HEIGHT);
    b.optional(PrimitiveTypeName.INT32).named(PairsSchema.ORIGINAL_WIDTH);
    b.optional(PrimitiveTypeName.INT32).named(PairsSchema.ORIGINAL_HEIGHT);
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.SHA256);
    b.optional(PrimitiveTypeName.INT64).named(PairsSchema.PHASH);
    b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.STATUS);
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.ERROR_MESSAGE);
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.SOURCE);
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PairsSchema.DUPLICATE_OF);
    for (String c : carry) {
      b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c);
    }
    return b.named("pairs");
  }

  /** Writes rows (in PairsSchema column order, then the carried columns) as the shard's Parquet file. */
  static void writeShard(String work, int shard, List<Row> rows, List<String> carry, Configuration conf)
      throws IOException {
    Path target = shardPath(work, shard);
    FileSystem fs = target.getFileSystem(conf);
    Path tmp = new Path(target.getParent(), "_tmp-" + name(shard) + "-" + UUID.randomUUID() + ".parquet");
    MessageType schema = schema(carry);
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(tmp).withConf(conf).withType(schema)
        .withCompressionCodec(CompressionCodecName.SNAPPY).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build()) {
      for (Row r : rows) {
        Group g = groups.newGroup();
        for (int i = 0; i < schema.getFieldCount(); i++) {
          if (r.isNullAt(i)) {
            continue;
          }
          String field = schema.getFieldName(i);
          Object v = r.get(i);
          if (v instanceof String s) {
            g.add(field, s);
          } else if (v instanceof byte[] bytes) {
            g.add(field, Binary.fromConstantByteArray(bytes));
          } else if (v instanceof Integer n) {
            g.add(field, n);
          } else if (v instanceof Long n) {
            g.add(field, n);
          } else {
            g.add(field, String.valueOf(v));
          }
        }
        writer.write(g);
      }
    }
    if (fs.exists(target)) {
      fs.delete(target, false);
    }
    if (!fs.rename(tmp, target)) {
      throw new IOException("Could not rename " + tmp + " to " + target);
    }
  }

  static void writeStats(String work, ShardStats stats, Configuration conf) throws IOException {
    HadoopFiles.writeAtomically(statsPath(work, stats.shard()), Json.MAPPER.writeValueAsBytes(stats), conf);
  }

  static ShardStats readStats(String work, int shard, Configuration conf) throws IOException {
    return Json.MAPPER.readValue(HadoopFiles.readAll(statsPath(work, shard), conf), ShardStats.class);
  }
}
