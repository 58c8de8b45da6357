package io.sparkvlm.detect;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.DetectionsSchema;
import io.sparkvlm.core.dataset.InputRef;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.core.model.DetectorModel;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.executor.ModelPartitions;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm detect pairs}: a trained detector over every image of a pairs dataset (what {@code vlm ingest} or
 * {@code vlm filter} wrote), at crawl scale: the rows are read, searched and written on the executors, never
 * gathered on the driver. Every query is asked of every image; the output is a {@link DetectionsSchema detections}
 * dataset with one row per pairs row (partitioned Parquet, its manifest written last: the completion marker).
 */
public final class DetectPairsJob implements StageJob<DetectPairsConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(DetectPairsJob.class);

  @Override
  public String name() {
    return "detect pairs";
  }

  @Override
  public DetectPairsConfig readConfig(ConfigReader config) {
    return DetectPairsConfig.from(config);
  }

  @Override
  public List<String> completionMarkers(DetectPairsConfig c) {
    return List.of(new Path(c.output(), DatasetManifest.FILE_NAME).toString());
  }

  @Override
  public List<String> configSections() {
    return List.of(DetectPairsConfig.SECTION);
  }

  @Override
  public StageResult run(SparkSession spark, DetectPairsConfig c) throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Datasets.requireWritable(c.output(), c.overwrite(), conf);
    Detector detector = Detector.load(DetectPairsConfig.SECTION + ".checkpoint", c.checkpoint(), c.clip(), conf);
    Dataset<Row> pairs = Datasets.readFor(DetectPairsConfig.SECTION + ".input", spark, c.input(), PairsSchema.SCHEMA);
    DatasetManifest input = Datasets.readManifest(c.input(), conf);
    PairDetections.Queries queries = new PairDetections.Queries(c.queries(), detector.embed(c.queries()),
        c.perQuery(), c.minScore());
    DetectorModel.Shape shape = detector.shape();
    LOG.info("{}: {} rows of {} x {} queries with {} (CLIP {}), {} boxes per query per image, scores from {}",
        name(), input.rows().total(), c.input(), c.queries().size(), detector.checkpoint().location(),
        detector.clip().location(), c.perQuery(), c.minScore());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> model = sc.broadcast(detector.checkpoint().modelZip());
    int threads = TrainingRun.threads(spark, c.nd4jThreads());
    long started = System.nanoTime();
    try {
      JavaRDD<Row> rows = pairs.select(PairDetections.inputColumns()).javaRDD();
      JavaRDD<Row> detected = ModelPartitions.map("detect pairs: rows", rows, model, c.batch(), threads, g -> g,
          (ComputationGraph g, List<Row> batch) -> PairDetections.detect(g, shape, batch, queries));
      Datasets.writeRows(spark.createDataFrame(detected, DetectionsSchema.COLUMNS), c.output(),
          DetectionsSchema.SCHEMA, c.overwrite());
    } finally {
      model.destroy();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    List<InputRef> inputs = List.of(InputRef.of(c.input(), conf), InputRef.of(detector.checkpoint().location(), conf),
        InputRef.of(detector.clip().location(), conf));
    return new StageResult(List.of(new Datasets.WrittenDataset(c.output(), DetectionsSchema.SCHEMA, inputs)),
        String.format("%d rows searched for %d queries in %.0f s (%.1f rows/s), written to %s",
            input.rows().total(), c.queries().size(), seconds, input.rows().total() / seconds, c.output()));
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new DetectPairsJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
