package io.sparkvlm.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.InputRef;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.SerializableHadoopConf;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.ingest.image.JpegLibrary;
import io.sparkvlm.ingest.input.InputRows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The ingest stage: input rows -> download shards (resumable; work folder) -> dedup -> the pairs dataset.
 * See docs/stages/ingest.md.
 */
public final class IngestJob implements StageJob<IngestConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public IngestConfig readConfig(ConfigReader config) {
    return IngestConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, IngestConfig cfg) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    boolean replaceOutput = checkOutput(cfg, conf);
    if (spark.sparkContext().isLocal()) {
      checkJpegLibrary(cfg.image().jpegLibrary()); // here the driver's JVM is the executor: refuse before any work
    }
    List<String> carry = cfg.input().carry();

    // 1. every input row, in an order that does not depend on partitioning, numbered
    Dataset<Row> input = InputRows.read(spark, cfg.input()); // checks the input's path and columns, reads no rows
    // finished shards are reused only when made from this input with these settings (checked before any download)
    InputRef inputRef = InputRef.of(cfg.input().path(), conf);
    Set<Integer> done = doneShards(cfg.work(), conf);
    cfg.shardSettings().withInput(inputRef).checkAndRecord(cfg.work(), done.size(), conf);
    List<Column> order = new ArrayList<>(List.of(col(InputRows.SOURCE), col(InputRows.URL), col(InputRows.CAPTION)));
    carry.forEach(c -> order.add(col(c)));
    // kept so the download pass does not read and sort the input again after counting it
    JavaPairRDD<Row, Long> numbered = input.sort(order.toArray(Column[]::new)).javaRDD().zipWithIndex()
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    long total = numbered.count();
    int shards = (int) Math.max(1, (total + cfg.rowsPerShard() - 1) / cfg.rowsPerShard());

    // 2. download shards that are not done yet (a shard is done when its stats exist)
    Set<Integer> retry = cfg.retryFailed() ? shardsWithRetryableFailures(cfg.work(), done, conf) : Set.of();
    int attempt = cfg.retryFailed() ? nextRetryAttempt(cfg.work(), conf) : 0;
    LOG.info("ingest: {} input rows in {} shards of {}; {} done, {} to download{}", total, shards,
        cfg.rowsPerShard(), done.size(), shards - done.size(),
        retry.isEmpty() ? "" : ", retrying failed rows of " + retry.size() + " shards (attempt " + attempt + ")");
    Set<String> retryKeys = retry.isEmpty() ? Set.of() : retryableKeys(spark, cfg, retry);
    int rowsPerShard = cfg.rowsPerShard();
    SerializableHadoopConf hadoop = new SerializableHadoopConf(conf);
    List<ShardStats> stats = numbered
        .mapToPair(t -> new Tuple2<>((int) (t._2() / rowsPerShard), new ShardProcessor.Indexed(t._2() % rowsPerShard,
            t._1())))
        .filter(t -> !done.contains(t._1()) || retry.contains(t._1()))
        .partitionBy(new ShardPartitioner(shards))
        .mapPartitions(it -> runShard(it, cfg, hadoop, done, retryKeys, attempt))
        .collect();
    numbered.unpersist();
    LOG.info("ingest: downloaded {} shards: {}", stats.size(), summarise(stats));
    long undecodable = stats.stream().mapToLong(ShardStats::undecodableCaptions).sum();
    if (undecodable > 0) {
      LOG.warn("ingest: {} captions had bytes that are not valid {} (decoded as U+FFFD; set ingest.input.encoding "
          + "if the input is in another charset)", undecodable, cfg.input().encoding());
    }

    // 3. every row of every shard (latest attempt wins), duplicates marked, written as the dataset
    Map<Integer, Path> attempts = retryAttempts(cfg.work(), conf);
    Dataset<Row> rows = shardRows(spark, cfg, shards, attempts);
    boolean ranked = !attempts.isEmpty();
    if (ranked) {
      rows = rows.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK()); // counted, deduplicated, written
    }
    long out = rows.count(); // without retries, from the Parquet footers
    if (out != total) {
      throw new DatasetError("ingest lost or duplicated rows: " + total + " input rows but " + out
          + " output rows (work folder " + cfg.work() + ")");
    }
    Dataset<Row> dups = Dedup.duplicates(rows, cfg.dedup()).localCheckpoint(); // cut the lineage shared with rows
    Dataset<Row> marked = rows.join(dups, rows.col(PairsSchema.KEY).equalTo(dups.col(Dedup.DUP_KEY)), "left")
        .select(finalColumns(rows, dups, carry));
    Datasets.writeRows(marked.repartitionByRange(shards, col(PairsSchema.KEY)).sortWithinPartitions(PairsSchema.KEY),
        cfg.output(), PairsSchema.SCHEMA, replaceOutput, rowsPerShard);
    if (ranked) {
      rows.unpersist();
    }
    return new StageResult(List.of(new Datasets.WrittenDataset(cfg.output(), PairsSchema.SCHEMA,
        List.of(inputRef))), total + " rows in " + shards + " shards"
        + (undecodable > 0 ? "; " + undecodable + " captions with bytes not valid " + cfg.input().encoding()
            + " in the shards downloaded now (stats undecodableCaptions)" : ""));
  }

  /** The pairs dataset's manifest, committed after its rows. */
  @Override
  public List<String> configSections() {
    return List.of("ingest");
  }

  @Override
  public List<String> completionMarkers(IngestConfig config) {
    return List.of(new Path(config.output(), DatasetManifest.FILE_NAME).toString());
  }

  /** A JPEG library this JVM must load (on a cluster each executor checks for itself when its tasks start). */
  private static void checkJpegLibrary(JpegLibrary library) {
    try {
      library.resolve();
    } catch (IllegalStateException e) {
      throw new ConfigError(ShardSettings.JPEG_LIBRARY, e.getMessage());
    }
  }

  /** Whether an existing output may be replaced; refuses a complete one unless overwriting. */
  private static boolean checkOutput(IngestConfig cfg, Configuration conf) throws IOException {
    Path out = new Path(cfg.output());
    FileSystem fs = out.getFileSystem(conf);
    if (!fs.exists(out)) {
      return false;
    }
    if (fs.exists(new Path(out, DatasetManifest.FILE_NAME))) {
      if (!cfg.overwrite()) {
        throw new DatasetError("Output " + cfg.output() + " already exists"
            + (cfg.retryFailed() ? "; --retry-failed rewrites it: add --overwrite" : "; pass --overwrite to replace it"
            + " (downloads already done are kept in " + cfg.work() + ")"));
      }
      return true;
    }
    LOG.info("ingest: replacing the incomplete output at {} (no manifest)", cfg.output());
    return true;
  }

  private static Column[] finalColumns(Dataset<Row> rows, Dataset<Row> dups, List<String> carry) {
    Column isDup = dups.col(Dedup.DUP_OF).isNotNull();
    List<Column> cols = new ArrayList<>();
    for (String name : PairsSchema.COLUMNS.fieldNames()) {
      switch (name) {
        case PairsSchema.STATUS -> cols.add(when(isDup, lit(PairStatus.DUPLICATE.value()))
            .otherwise(rows.col(name)).as(name));
        case PairsSchema.ERROR_MESSAGE -> cols.add(when(isDup, dups.col(Dedup.DUP_MESSAGE))
            .otherwise(rows.col(name)).as(name));
        case PairsSchema.DUPLICATE_OF -> cols.add(coalesce(dups.col(Dedup.DUP_OF), rows.col(name)).as(name));
        default -> cols.add(rows.col(name));
      }
    }
    carry.forEach(c -> cols.add(rows.col(c)));
    return cols.toArray(Column[]::new);
  }

  /** Runs on an executor: processes the partition's shard (or nothing) and writes its files. */
  private static Iterator<ShardStats> runShard(Iterator<Tuple2<Integer, ShardProcessor.Indexed>> it,
      IngestConfig cfg, SerializableHadoopConf hadoop, Set<Integer> done, Set<String> retryKeys, int attempt)
      throws Exception {
    List<ShardProcessor.Indexed> rows = new ArrayList<>();
    int shard = -1;
    while (it.hasNext()) {
      Tuple2<Integer, ShardProcessor.Indexed> t = it.next();
      shard = t._1();
      rows.add(t._2());
    }
    if (rows.isEmpty()) {
      return List.<ShardStats>of().iterator();
    }
    rows.sort((a, b) -> Long.compare(a.index(), b.index()));
    boolean retrying = done.contains(shard);
    ShardProcessor.Result result;
    try (ShardProcessor processor = new ShardProcessor(cfg)) {
      if (retrying) {
        int s = shard;
        rows.removeIf(r -> !retryKeys.contains(processor.key(s, r.index())));
      }
      result = processor.process(shard, rows);
    }
    String target = retrying ? cfg.work() + "/retries/attempt-" + attempt : cfg.work();
    ShardFiles.writeShard(target, shard, result.rows(), cfg.input().carry(), hadoop.get());
    ShardFiles.writeStats(target, result.stats(), hadoop.get());
    return List.of(result.stats()).iterator();
  }

  private static Set<Integer> doneShards(String work, Configuration conf) throws IOException {
    Path dir = new Path(work + "/stats");
    FileSystem fs = dir.getFileSystem(conf);
    Set<Integer> done = new HashSet<>();
    if (fs.exists(dir)) {
      for (FileStatus f : fs.listStatus(dir)) {
        String n = f.getPath().getName();
        if (n.matches("shard-\\d+\\.json") && fs.exists(ShardFiles.shardPath(work, shardOf(n)))) {
          done.add(shardOf(n));
        }
      }
    }
    return done;
  }

  private static int shardOf(String fileName) {
    return Integer.parseInt(fileName.replaceAll("\\D", ""));
  }

  private static Set<Integer> shardsWithRetryableFailures(String work, Set<Integer> done, Configuration conf)
      throws IOException {
    Set<Integer> out = new HashSet<>();
    for (int shard : done) {
      ShardStats s = ShardFiles.readStats(work, shard, conf);
      if (s.byStatus().getOrDefault(PairStatus.FAILED_TO_DOWNLOAD.value(), 0L) > 0) {
        out.add(shard);
      }
    }
    return out;
  }

  private static int nextRetryAttempt(String work, Configuration conf) throws IOException {
    Path dir = new Path(work + "/retries");
    FileSystem fs = dir.getFileSystem(conf);
    int max = 0;
    if (fs.exists(dir)) {
      for (FileStatus f : fs.listStatus(dir)) {
        if (f.getPath().getName().matches("attempt-\\d+")) {
          max = Math.max(max, shardOf(f.getPath().getName()));
        }
      }
    }
    return max + 1;
  }

  /** Keys of the current (latest-attempt) failed_to_download rows of {@code shards}. */
  private static Set<String> retryableKeys(SparkSession spark, IngestConfig cfg, Set<Integer> shards)
      throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Dataset<Row> rows = shardRows(spark, cfg, -1, retryAttempts(cfg.work(), conf));
    List<Row> keys = rows.where(col(PairsSchema.STATUS).equalTo(PairStatus.FAILED_TO_DOWNLOAD.value()))
        .select(PairsSchema.KEY).collectAsList();
    Set<String> out = new HashSet<>();
    for (Row r : keys) {
      String key = r.getAs(PairsSchema.KEY);
      if (shards.contains(ShardProcessor.shardOfKey(key))) {
        out.add(key);
      }
    }
    return out;
  }

  /** All shard rows, each key once, taking the row of its latest retry attempt ({@code attempts}: by number). */
  private static Dataset<Row> shardRows(SparkSession spark, IngestConfig cfg, int expectedShards,
      Map<Integer, Path> attempts) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    StructType schema = PairsSchema.COLUMNS;
    for (String c : cfg.input().carry()) {
      schema = schema.add(c, DataTypes.StringType, true);
    }
    Set<Integer> done = doneShards(cfg.work(), conf);
    if (expectedShards >= 0 && done.size() < expectedShards) {
      throw new DatasetError("only " + done.size() + " of " + expectedShards + " shards are complete in "
          + cfg.work());
    }
    List<String> base = new ArrayList<>();
    for (int shard : done) {
      base.add(ShardFiles.shardPath(cfg.work(), shard).toString());
    }
    Dataset<Row> baseRows = spark.read().schema(schema).parquet(base.toArray(String[]::new));
    if (attempts.isEmpty()) {
      return baseRows; // every key is in exactly one shard file: read as it is, nothing shuffled
    }
    Dataset<Row> all = baseRows.withColumn("_attempt", lit(0));
    for (Map.Entry<Integer, Path> attempt : attempts.entrySet()) {
      all = all.unionByName(spark.read().schema(schema).parquet(attempt.getValue().toString())
          .withColumn("_attempt", lit(attempt.getKey())));
    }
    // one partition per shard, hashed by key, which the window below reads as it is: without it the window's shuffle
    // takes spark.sql.shuffle.partitions (200 on a cluster), and the persisted rows keep them (AQE does not coalesce
    // a cached plan), so a one-shard ingest ran 200 tasks per pass over its rows
    return all.repartition(Math.max(1, done.size()), col(PairsSchema.KEY))
        .withColumn("_rank", row_number().over(Window.partitionBy(PairsSchema.KEY)
            .orderBy(col("_attempt").desc())))
        .where(col("_rank").equalTo(1)).drop("_rank", "_attempt");
  }

  /** The shard folders of the retry attempts that wrote any shard, by attempt number. */
  private static Map<Integer, Path> retryAttempts(String work, Configuration conf) throws IOException {
    Map<Integer, Path> out = new TreeMap<>();
    Path retries = new Path(work + "/retries");
    FileSystem fs = retries.getFileSystem(conf);
    if (fs.exists(retries)) {
      for (FileStatus dir : fs.listStatus(retries)) {
        Path shardsDir = new Path(dir.getPath(), "shards");
        if (dir.getPath().getName().matches("attempt-\\d+") && fs.exists(shardsDir)
            && fs.listStatus(shardsDir, p -> p.getName().endsWith(".parquet") && !p.getName().startsWith("_"))
            .length > 0) {
          out.put(shardOf(dir.getPath().getName()), shardsDir);
        }
      }
    }
    return out;
  }

  private static Map<String, Long> summarise(List<ShardStats> stats) {
    Map<String, Long> total = new TreeMap<>();
    stats.forEach(s -> s.byStatus().forEach((k, v) -> total.merge(k, v, Long::sum)));
    return total;
  }

  /** Shard n goes to partition n. */
  static final class ShardPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int shards;

    ShardPartitioner(int shards) {
      this.shards = shards;
    }

    @Override
    public int numPartitions() {
      return shards;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }
  }

  public static int run(String[] args) {
    return JobLauncher.main(new IngestJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
