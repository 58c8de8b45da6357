package io.sparkvlm.detect;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfiguredFiles;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.SerializableHadoopConf;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.DetectorModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.detection.DetectionLabels;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.training.TrainingItems;
import io.sparkvlm.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm detect train}: OWL-ViT's detector on a trained CLIP. The training queries are the texts that name the
 * instances file's boxes (the synthetic world's seen colour-shape combinations; a plain COCO file's category names),
 * embedded once by the CLIP's text tower through {@code detect.train.query-template}; the head (and, with
 * {@code trainable = all}, the vision tower) trains on the shared loop with DETR's set loss. Checkpoints record the
 * CLIP as their parent, and {@code vlm detect} embeds its queries with that CLIP.
 */
public final class TrainDetectorJob implements StageJob<TrainDetectorConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainDetectorJob.class);

  @Override
  public String name() {
    return "detect train";
  }

  @Override
  public TrainDetectorConfig readConfig(ConfigReader config) {
    return TrainDetectorConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, TrainDetectorConfig c) throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ModelCheckpoints.Loaded clip = ModelCheckpoints.loadFor(TrainDetectorConfig.SECTION + ".clip", c.clip(), conf);
    ClipShape clipShape = clip.as(ModelArchitecture.Clip.class, TrainDetectorConfig.SECTION + ".clip").shape();
    Tokenizer tokenizer = clip.requireTokenizer();
    CocoInstances instances = CocoInstances.read(ConfiguredFiles.readJson(TrainDetectorConfig.SECTION + ".instances",
        new Path(c.instances()), conf), c.instances());
    List<String> queries = instances.boxedQueries();
    if (queries.isEmpty()) {
      throw new DatasetError(c.instances() + " has no boxes: nothing to train a detector on");
    }
    DetectorModel.Shape shape = DetectorModel.Shape.of(clipShape, queries.size(), c.maxBoxes());
    List<DetectorTrainer.Item> unread = new ArrayList<>();
    int boxes = 0;
    for (CocoInstances.Image image : instances.images()) {
      DetectionLabels.Truth truth = CocoInstances.truth(image, queries);
      if (truth.boxes().length > c.maxBoxes()) {
        throw new DatasetError(c.instances() + ": image " + image.id() + " (" + image.fileName() + ") has "
            + truth.boxes().length + " boxes, more than " + TrainDetectorConfig.SECTION + ".max-boxes = "
            + c.maxBoxes());
      }
      boxes += truth.boxes().length;
      unread.add(new DetectorTrainer.Item(image.fileName(), null, truth));
    }
    List<String> missing = HadoopFiles.missing(unread.stream().map(i -> new Path(c.images(), i.key()).toString())
        .toList(), conf);
    if (!missing.isEmpty()) {
      throw new DatasetError(c.instances() + ": " + missing.size() + " of its " + unread.size() + " images are not "
          + "under " + TrainDetectorConfig.SECTION + ".images = " + c.images() + ", e.g. " + missing.get(0));
    }
    ComputationGraph clipModel = clip.model();
    List<int[]> tokens = queries.stream().map(q -> ClipInputs.tokens(tokenizer, c.template().text(q),
        clipShape.contextLength())).toList();
    double[][] embeddings = ClipEmbeddings.texts(clipModel, clipShape, tokens, 64);
    LOG.info("{}: {} images, {} boxes, {} training queries ({} ... {}); model {} on CLIP {}, {} trains",
        name(), unread.size(), boxes, queries.size(), c.template().text(queries.get(0)),
        c.template().text(queries.get(queries.size() - 1)), shape.name(), clip.location(), c.trainable());

    TrainingRun.Start start = TrainingRun.start(c.training(), new ModelArchitecture.Detector(shape), conf);
    int threads = TrainingRun.threads(spark, c.training());
    Nd4jThreads.set(threads);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    SerializableHadoopConf hadoop = new SerializableHadoopConf(conf);
    String root = c.images();
    JavaRDD<DetectorTrainer.Item> items = sc.parallelize(unread, Math.max(1, sc.defaultParallelism()))
        .map(item -> new DetectorTrainer.Item(item.key(), CocoInstances.readImage(root, item.key(), hadoop),
            item.truth()));
    try (TrainingItems<DetectorTrainer.Item> rdd = TrainingItems.persist(items)) {
      String summary = TrainingRun.train(spark, c.training(), start, List.of(c.instances()), "training images",
          rdd.rdd(), tokenizer, new DetectorTrainer(shape, c.trainable(), c.training().seed(), threads,
              new DetectorTrainer.ClipStart(clip.location(), clipModel), embeddings));
      return new StageResult(List.of(), summary);
    }
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new TrainDetectorJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
