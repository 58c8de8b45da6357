package io.sparkvlm.detect;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfiguredFiles;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.DetectionInstances;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.io.SerializableHadoopConf;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.core.model.DetectorModel;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.executor.ModelPartitions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm detect dataset}: a trained detector over every image of a COCO instances file, on the executors (each
 * partition loads the broadcast detector once), every query asked of every image; the detections are written in
 * COCO's results format ({@code image_id, category_id, bbox, score}, and the query in
 * {@link DetectionInstances#COMBINATION}), which {@code vlm eval detection} scores. The queries are the instances'
 * combinations (or category names) unless {@code detect.dataset.queries} lists others; a listed query that is no
 * category's name or combination gets category id 0.
 */
public final class DetectJob implements StageJob<DetectConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(DetectJob.class);

  @Override
  public String name() {
    return "detect dataset";
  }

  @Override
  public DetectConfig readConfig(ConfigReader config) {
    return DetectConfig.from(config);
  }

  /** The results file in the output folder, written last and atomically: the stage's completion marker. */
  public static final String RESULTS = "results.json";

  /** The results file of {@code c}'s output folder. */
  static Path results(DetectConfig c) {
    return new Path(c.output(), RESULTS);
  }

  @Override
  public List<String> completionMarkers(DetectConfig c) {
    return List.of(results(c).toString());
  }

  @Override
  public List<String> configSections() {
    return List.of(DetectConfig.SECTION);
  }

  /** One image to detect in, as the executors read it. */
  record Task(long imageId, String fileName, int width, int height) implements Serializable {}

  @Override
  public StageResult run(SparkSession spark, DetectConfig c) throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Detector detector = Detector.load(DetectConfig.SECTION + ".checkpoint", c.checkpoint(), c.clip(), conf);
    JsonNode json = ConfiguredFiles.readJson(DetectConfig.SECTION + ".instances", new Path(c.instances()), conf);
    CocoInstances instances = CocoInstances.read(json, c.instances());
    List<String> queries = c.queries().orElseGet(() -> CocoInstances.allQueries(json, c.instances()));
    if (queries.isEmpty()) {
      throw new ConfigError(DetectConfig.SECTION + ".queries", "Config key '" + DetectConfig.SECTION
          + ".queries' is an empty list: nothing to detect");
    }
    Map<String, Integer> categoryOf = categoryIds(json);
    List<Task> tasks = new ArrayList<>();
    for (CocoInstances.Image i : instances.images()) {
      tasks.add(new Task(i.id(), i.fileName(), i.width(), i.height()));
    }
    if (tasks.isEmpty()) {
      throw new DatasetError(c.instances() + " lists no images");
    }
    double[][] embeddings = detector.embed(queries);
    DetectorModel.Shape shape = detector.shape();
    LOG.info("{}: {} images x {} queries with {} (CLIP {}), {} boxes per query per image", name(), tasks.size(),
        queries.size(), detector.checkpoint().location(), detector.clip().location(), c.perQuery());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> model = sc.broadcast(detector.checkpoint().modelZip());
    SerializableHadoopConf hadoop = new SerializableHadoopConf(conf);
    String root = c.images();
    int perQuery = c.perQuery();
    List<String> names = List.copyOf(queries);
    int threads = TrainingRun.threads(spark, c.nd4jThreads());
    long started = System.nanoTime();
    JavaRDD<String> perImage = ModelPartitions.map("detect: images", sc.parallelize(tasks,
            Math.max(1, sc.defaultParallelism())), model, c.batch(), threads, g -> g,
        (org.deeplearning4j.nn.graph.ComputationGraph g, List<Task> batch) -> {
          List<byte[]> bytes = new ArrayList<>();
          List<int[]> sizes = new ArrayList<>();
          for (Task t : batch) {
            bytes.add(CocoInstances.readImage(root, t.fileName(), hadoop));
            sizes.add(new int[] {t.width(), t.height()});
          }
          List<List<Detector.Found>> found = Detector.detect(g, shape, bytes, sizes, embeddings, perQuery);
          List<String> out = new ArrayList<>();
          for (int b = 0; b < batch.size(); b++) {
            out.add(results(batch.get(b).imageId(), found.get(b), names, categoryOf).toString());
          }
          return out;
        });
    // every partition detected in parallel and kept on the executors, then streamed to the file one partition at a
    // time: the driver never holds more than one partition's results
    perImage.persist(StorageLevel.MEMORY_AND_DISK());
    long[] detections = {0};
    try {
      perImage.count();
      HadoopFiles.writeAtomically(results(c), out -> {
        try (JsonGenerator file = Json.MAPPER.getFactory().createGenerator(out).useDefaultPrettyPrinter()
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)) {
          file.writeStartArray();
          java.util.Iterator<String> images = perImage.toLocalIterator();
          while (images.hasNext()) {
            for (JsonNode detection : Json.MAPPER.readTree(images.next())) {
              file.writeTree(detection);
              detections[0]++;
            }
          }
          file.writeEndArray();
        }
      }, conf);
    } finally {
      perImage.unpersist(false);
      model.destroy();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new StageResult(List.of(), String.format("%d detections in %d images (%.1f images/s) written to %s",
        detections[0], tasks.size(), tasks.size() / seconds, results(c)));
  }

  /** Query text -> category id: each combination's, then each category's own name. */
  public static Map<String, Integer> categoryIds(JsonNode instances) {
    Map<String, Integer> out = new LinkedHashMap<>();
    CocoInstances.categoryNames(instances).forEach((id, name) -> out.put(name, id));
    instances.path(DetectionInstances.COMBINATIONS).forEach(c -> out.put(c.path("name").asText(),
        c.path("category_id").asInt()));
    return out;
  }

  /** One image's detections in COCO's results format (a query no category names: category id 0). */
  public static ArrayNode results(long imageId, List<Detector.Found> found, List<String> queries,
      Map<String, Integer> categoryOf) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Detector.Found f : found) {
      String q = queries.get(f.query());
      ObjectNode r = out.addObject().put("image_id", imageId).put("category_id", categoryOf.getOrDefault(q, 0))
          .put("score", f.score()).put(DetectionInstances.COMBINATION, q);
      ArrayNode box = r.putArray("bbox");
      for (double v : f.xywh()) {
        box.add(Math.round(v * 100) / 100.0);
      }
    }
    return out;
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new DetectJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
