package io.sparkvlm.instruct;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.io.SerializableHadoopConf;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.core.model.ImageInput;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.training.vlm.VisionLanguageTraining;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm instruct}: LLaVA's stage 2, visual instruction tuning. Starts from the stage-1 checkpoint (its shape
 * and tokenizer: the connector carries over as trained); the connector and the LM train, the vision tower stays
 * frozen; the data are LLaVA-format conversations mixed with short-answer VQA, the loss on the assistant's tokens
 * only. Samples that do not fit the template or the context are counted by reason in the log and in
 * {@value #DATA_REPORT} beside the checkpoints.
 */
public final class InstructJob implements StageJob<InstructConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(InstructJob.class);
  /** The data counts of a run: samples read by source, used, mismatched by reason, cut by the context. */
  public static final String DATA_REPORT = "instruct_data.json";

  @Override
  public String name() {
    return "instruct";
  }

  @Override
  public InstructConfig readConfig(ConfigReader config) {
    return InstructConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, InstructConfig c) throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    VisionLanguageModel.Shape shape;
    BpeTokenizer tokenizer;
    VisionLanguageTraining.Start start;
    if (c.start() instanceof InstructConfig.StartingPoint.StageOne one) {
      ModelCheckpoints.Loaded from = ModelCheckpoints.loadFor("instruct.from", one.from(), conf);
      shape = from.as(ModelArchitecture.VisionLanguage.class, "instruct.from").shape();
      tokenizer = from.requireBpeTokenizer();
      start = new VisionLanguageTraining.FromModel(from);
    } else if (c.start() instanceof InstructConfig.StartingPoint.Towers towers) {
      ModelCheckpoints.Loaded clip = ModelCheckpoints.loadFor("align.clip", towers.clip(), conf);
      ModelCheckpoints.Loaded lm = ModelCheckpoints.loadFor("align.lm", towers.lm(), conf);
      shape = AlignJob.shape(clip.as(ModelArchitecture.Clip.class, "align.clip").shape(),
          lm.as(ModelArchitecture.Language.class, "align.lm").shape(), towers.vision());
      tokenizer = lm.requireBpeTokenizer();
      start = new VisionLanguageTraining.FromTowers(clip, lm);
      LOG.info("instruct: start towers: stage 2 without stage 1, the connector freshly initialised ({} + {})",
          clip.location(), lm.location());
    } else {
      throw new IllegalStateException("unknown starting point " + c.start());
    }
    // after the starting point: a missing checkpoint is named first, as it is what a user is most likely missing
    InstructData.requireFiles(c, conf);
    InstructData.Read data = InstructData.read(c, tokenizer, shape.lm().contextLength(), conf);
    String counts = Json.MAPPER.valueToTree(data.counts().toJson()).toString();
    LOG.info("instruct: samples {}", counts);
    SerializableHadoopConf hadoop = new SerializableHadoopConf(conf);
    String root = c.root();
    ImageInput shown = c.imageInput();
    if (shown == ImageInput.BLANK) {
      LOG.info("instruct: image-input blank: every image replaced by one blank image (the blind baseline)");
    }
    JavaRDD<VisionLanguageTraining.Item> items = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(data.samples(), Math.max(1, spark.sparkContext().defaultParallelism()))
        .map(s -> new VisionLanguageTraining.Item(s.key(), shown.apply(HadoopFiles.readAll(new Path(root,
            s.image()), hadoop.get())), s.tokens(), s.learn()));
    List<String> inputs = new ArrayList<>();
    c.conversations().ifPresent(f -> inputs.add(new Path(root, f).toString()));
    c.vqa().ifPresent(v -> inputs.add(new Path(root, v.questions()).toString()));
    c.captions().ifPresent(k -> inputs.add(new Path(root, k.file()).toString()));
    String summary = VisionLanguageTraining.train(spark, c.training(), shape, c.trainable(),
        start, tokenizer, inputs, "instruct samples", items);
    HadoopFiles.writeAtomically(new Path(c.training().output(), DATA_REPORT), counts.getBytes(StandardCharsets.UTF_8),
        conf);
    return new StageResult(List.of(), summary + "; samples " + counts);
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new InstructJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
