package io.sparkvlm.ingest.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.ingest.IngestConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads any supported input into one row per input sample with the columns {@link #SOURCE}, {@link #URL},
 * {@link #CAPTION}, {@link #CONTENT} (image bytes when the input carries them: tar shards and folders),
 * {@link #INPUT_ERROR} (why the input row itself is unusable, e.g. a malformed JSON line) and the carried columns
 * (as strings). Nothing is filtered here: every input row becomes a row (in a folder, every image, and every
 * group of files sharing a name that holds no image). Text is decoded in the input's encoding
 * ({@code ingest.input.encoding}); bytes invalid in it become U+FFFD, which {@link #undecodable} finds so the shard
 * stats count them.
 */
public final class InputRows {
  public static final String SOURCE = "source";
  public static final String URL = "url";
  public static final String CAPTION = "caption";
  public static final String CONTENT = "content";
  public static final String INPUT_ERROR = "input_error";

  static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "webp", "gif", "bmp");

  public static final StructType BASE = new StructType()
      .add(SOURCE, DataTypes.StringType, false)
      .add(URL, DataTypes.StringType, true)
      .add(CAPTION, DataTypes.StringType, true)
      .add(CONTENT, DataTypes.BinaryType, true)
      .add(INPUT_ERROR, DataTypes.StringType, true);

  private InputRows() {}

  public static Dataset<Row> read(SparkSession spark, IngestConfig.Input in) {
    requireExists(spark, in);
    Dataset<Row> rows = switch (in.format()) {
      case CSV -> urlList(delimited(spark, in, ","), in);
      case TSV -> urlList(delimited(spark, in, "\t"), in);
      case JSONL -> urlList(jsonLines(spark, in), in);
      case PARQUET -> urlList(spark.read().parquet(in.path()), in);
      case WEBDATASET -> webDataset(spark, in);
      case FOLDER -> folder(spark, in);
    };
    return rows;
  }

  /** The input path (or glob) matches something, checked before any work: otherwise an error naming the key. */
  private static void requireExists(SparkSession spark, IngestConfig.Input in) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(in.path());
    org.apache.hadoop.fs.FileStatus[] found;
    try {
      found = path.getFileSystem(spark.sparkContext().hadoopConfiguration()).globStatus(path);
    } catch (IOException e) {
      throw new ConfigError("ingest.input.path", "Config key 'ingest.input.path' = '" + in.path()
          + "' cannot be listed: " + e.getMessage(), e);
    }
    if (found == null || found.length == 0) {
      throw new ConfigError("ingest.input.path", "Config key 'ingest.input.path' = '" + in.path()
          + "': no such file or folder");
    }
  }

  /** JSON lines in the input's encoding: Spark needs the line separator spelled out for one other than UTF-8. */
  private static Dataset<Row> jsonLines(SparkSession spark, IngestConfig.Input in) {
    var reader = spark.read().option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
        .option("encoding", in.encoding());
    if (!in.charset().equals(java.nio.charset.StandardCharsets.UTF_8)) {
      reader = reader.option("lineSep", "\n");
    }
    return reader.json(in.path());
  }

  /** Spark's column for a row it could not parse. */
  static final String CORRUPT = "_corrupt_record";

  /**
   * A CSV or TSV file with a header: every header column read as text, and a row whose number of fields differs
   * from the header's is malformed, its message naming both counts (Spark's reader with an inferred schema would
   * cut extra fields, e.g. a caption at its first stray tab, without a word).
   */
  private static Dataset<Row> delimited(SparkSession spark, IngestConfig.Input in, String sep) {
    String[] header = spark.read().option("header", "true").option("sep", sep).option("encoding", in.encoding())
        .csv(in.path()).columns();
    StructType schema = new StructType();
    for (String h : header) {
      schema = schema.add(h, DataTypes.StringType, true);
    }
    schema = schema.add(CORRUPT, DataTypes.StringType, true);
    Dataset<Row> raw = spark.read().schema(schema).option("header", "true").option("sep", sep)
        .option("encoding", in.encoding()).option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT).csv(in.path());
    Column fields = functions.size(functions.split(col(CORRUPT), java.util.regex.Pattern.quote(sep), -1));
    return raw.withColumn(CORRUPT, functions.when(col(CORRUPT).isNotNull(), functions.concat(
        fields.cast("string"), lit(" fields where the header has " + header.length + ": "), col(CORRUPT))));
  }

  /** A hint when the header looks split by the other delimiter: a TSV read as CSV, or the reverse. */
  static String formatHint(List<String> columns, IngestConfig.Format format) {
    boolean tabs = columns.stream().anyMatch(c -> c.contains("\t"));
    boolean commas = columns.stream().anyMatch(c -> c.contains(","));
    if (format == IngestConfig.Format.CSV && tabs) {
      return "; the header holds tabs: is the input tab-separated (ingest.input.format = tsv)?";
    }
    if (format == IngestConfig.Format.TSV && commas) {
      return "; the header holds commas: is the input comma-separated (ingest.input.format = csv)?";
    }
    return "";
  }

  private static Dataset<Row> urlList(Dataset<Row> raw, IngestConfig.Input in) {
    List<String> columns = Arrays.asList(raw.columns());
    List<String> named = new ArrayList<>(List.of(in.urlColumn()));
    if (in.captionColumn() != null) {
      named.add(in.captionColumn());
    }
    for (String needed : concat(named, in.carry())) {
      if (!columns.contains(needed)) {
        List<String> theInputs = columns.stream().filter(c -> !c.equals(CORRUPT)).toList();
        throw new DatasetError("Input " + in.path() + " has no column '" + needed + "' (columns: " + theInputs
            + "); set ingest.input.url-column / ingest.input.caption-column (null for a list without captions) / "
            + "ingest.input.carry" + formatHint(columns, in.format()));
      }
    }
    Column caption = in.captionColumn() != null ? col(in.captionColumn()).cast("string") : lit(null).cast("string");
    Column error = columns.contains(CORRUPT)
        ? functions.when(col(CORRUPT).isNotNull(),
            functions.concat(lit("malformed input row: "), functions.substring(col(CORRUPT), 1, 200)))
        : lit(null).cast("string");
    List<Column> select = new ArrayList<>(List.of(input_file_name().as(SOURCE),
        col(in.urlColumn()).cast("string").as(URL), caption.as(CAPTION), lit(null).cast("binary").as(CONTENT),
        error.as(INPUT_ERROR)));
    for (String c : in.carry()) {
      select.add(col(c).cast("string").as(c));
    }
    return raw.select(select.toArray(Column[]::new));
  }

  private static Dataset<Row> webDataset(SparkSession spark, IngestConfig.Input in) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String encoding = in.encoding();
    JavaRDD<Row> rows = jsc.binaryFiles(in.path()).flatMap(file -> tarSamples(file._1(), file._2(),
        java.nio.charset.Charset.forName(encoding)).iterator());
    return spark.createDataFrame(rows, BASE);
  }

  /** The samples of one tar shard: consecutive members sharing a key form one sample (WebDataset's rule). */
  static List<Row> tarSamples(String path, PortableDataStream stream, java.nio.charset.Charset charset) {
    List<Row> out = new ArrayList<>();
    try (InputStream raw = stream.open(); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
      Sample current = null;
      TarArchiveEntry e;
      while ((e = tar.getNextTarEntry()) != null) {
        if (!e.isFile()) {
          continue;
        }
        String name = e.getName();
        int slash = name.lastIndexOf('/');
        int dot = name.indexOf('.', slash + 1);
        String key = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (current == null || !current.key.equals(key)) {
          if (current != null) {
            out.add(current.toRow(path));
          }
          current = new Sample(key);
        }
        byte[] data = tar.readAllBytes();
        if (IMAGE_EXTENSIONS.contains(ext)) {
          current.image = data;
        } else if (ext.equals("txt")) {
          current.caption = new String(data, charset);
        } else if (ext.equals("json")) {
          current.url = urlFromJson(data);
        }
      }
      if (current != null) {
        out.add(current.toRow(path));
      }
    } catch (IOException ex) {
      // a corrupt shard is reported as one row, not lost silently
      out.add(RowFactory.create(path, null, null, null, "unreadable tar shard: " + ex.getMessage()));
    }
    return out;
  }

  private static String urlFromJson(byte[] json) {
    try {
      var node = io.sparkvlm.core.io.Json.MAPPER.readTree(json);
      return node.hasNonNull("url") ? node.get("url").asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static final class Sample {
    final String key;
    byte[] image;
    String caption;
    String url;

    Sample(String key) {
      this.key = key;
    }

    Row toRow(String path) {
      return RowFactory.create(path + "#" + key, url, caption, image,
          image == null ? "sample " + key + " has no image member" : null);
    }
  }

  private static Dataset<Row> folder(SparkSession spark, IngestConfig.Input in) {
    Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(in.path())
        .select(col("path"), col("content"));
    Column ext = functions.lower(functions.regexp_extract(col("path"), "\\.([A-Za-z0-9]+)$", 1));
    Column stem = functions.regexp_replace(col("path"), "\\.[A-Za-z0-9]+$", "");
    Dataset<Row> images = files.where(ext.isin(IMAGE_EXTENSIONS.toArray()))
        .select(col("path").as(SOURCE), stem.as("stem"), col("content").as(CONTENT));
    Dataset<Row> captions = files.where(ext.equalTo("txt"))
        .select(stem.as("stem"), functions.decode(col("content"), in.encoding()).as(CAPTION));
    Dataset<Row> samples = images.join(captions, images.col("stem").equalTo(captions.col("stem")), "left")
        .select(images.col(SOURCE), lit(null).cast("string").as(URL), col(CAPTION), col(CONTENT),
            lit(null).cast("string").as(INPUT_ERROR));
    // files of a stem no image has (a .txt caption alone, a .tif or .avif this reader cannot decode): one
    // invalid_input row per stem, as a tar sample without an image is, so they are counted rather than unseen;
    // files beside an image with its stem (a .json sidecar) belong to that sample
    Dataset<Row> named = files.select(col("path"), ext.as("ext"), stem.as("stem")); // no content read
    Dataset<Row> imageStems = named.where(col("ext").isin(IMAGE_EXTENSIONS.toArray())).select("stem").distinct();
    Dataset<Row> orphans = named.where(functions.not(col("ext").isin(IMAGE_EXTENSIONS.toArray())))
        .join(imageStems, named.col("stem").equalTo(imageStems.col("stem")), "left_anti")
        .groupBy(col("stem")).agg(functions.min(col("path")).as(SOURCE),
            functions.concat_ws(", ", functions.sort_array(functions.collect_set(col("path")))).as("found"))
        .select(col(SOURCE), lit(null).cast("string").as(URL), lit(null).cast("string").as(CAPTION),
            lit(null).cast("binary").as(CONTENT), functions.concat(lit("no image this reader knows for "),
                col("found"), lit(" (it reads " + String.join(", ", IMAGE_EXTENSIONS) + ")")).as(INPUT_ERROR));
    return samples.unionByName(orphans);
  }

  /** The replacement character a decoder puts where bytes are invalid in the encoding. */
  public static final char REPLACEMENT = '\uFFFD';

  /** Whether a decoded text holds bytes its encoding could not decode (or, rarely, a literal U+FFFD). */
  public static boolean undecodable(String text) {
    return text != null && text.indexOf(REPLACEMENT) >= 0;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

}
