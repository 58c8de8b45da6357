package io.sparkvlm.instruct;

import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.Fusion;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.vlm.VisionLanguageTraining;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm align}: LLaVA's stage 1, feature alignment. A vision-language model of a CLIP's vision tower (frozen,
 * features from {@code align.vision-select-layer}), a connector and a pretrained LM (frozen); only the connector
 * trains, on the image-caption pairs in the "plain" template: the visual tokens, then {@code <|startoftext|>
 * caption <|endoftext|>}, the caption's tokens and the end token supervised. The checkpoint records both parents.
 */
public final class AlignJob implements StageJob<AlignConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(AlignJob.class);


  @Override
  public String name() {
    return "align";
  }

  @Override
  public AlignConfig readConfig(ConfigReader config) {
    return AlignConfig.from(config);
  }

  @Override
  public StageResult run(SparkSession spark, AlignConfig c) throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ModelCheckpoints.Loaded clip = ModelCheckpoints.loadFor("align.clip", c.clip(), conf);
    ClipShape clipShape = clip.as(ModelArchitecture.Clip.class, "align.clip").shape();
    ModelCheckpoints.Loaded lm = ModelCheckpoints.loadFor("align.lm", c.lm(), conf);
    LanguageModel.Shape lmShape = lm.as(ModelArchitecture.Language.class, "align.lm").shape();
    BpeTokenizer tokenizer = lm.requireBpeTokenizer();
    VisionLanguageModel.Shape shape = shape(clipShape, lmShape, c.vision());
    clipShape.imagePool().featuresWarning("align.vision-select-feature", shape.features()).ifPresent(LOG::warn);
    int context = lmShape.contextLength();
    Broadcast<BpeTokenizer> tok = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(tokenizer);
    JavaRDD<VisionLanguageTraining.Item> items = TrainingRun.successfulPairs(spark, AlignConfig.SECTION + ".input",
            c.input())
        .select(PairsSchema.KEY, PairsSchema.IMAGE, PairsSchema.CAPTION).javaRDD()
        .map((Row r) -> caption(r, tok.value(), context));
    String summary = VisionLanguageTraining.train(spark, c.training(), shape, VisionLanguageModel.Trainable.ALIGN,
        new VisionLanguageTraining.FromTowers(clip, lm), tokenizer, List.of(c.input()), "successful pairs", items,
        tok);
    return new StageResult(List.of(), summary);
  }

  /** LLaVA's naming (flamingo- for cross-attention fusion): the vision tower's CLIP and the LM. */
  static VisionLanguageModel.Shape shape(ClipShape clip, LanguageModel.Shape lm, VisionSettings v) {
    String family = v.fusion() instanceof Fusion.CrossAttention ? "flamingo-" : "llava-";
    return new VisionLanguageModel.Shape(family + clip.name().replaceFirst("^clip-", "") + "-" + lm.name(),
        v.tower(clip), lm, v.connector(), v.features(), v.visionLayers(clip.visionTower(), AlignConfig.SECTION),
        v.fusion());
  }

  /** One pair in the plain template: every caption token and the end token learned. */
  static VisionLanguageTraining.Item caption(Row r, BpeTokenizer tokenizer, int context) {
    String text = r.getAs(PairsSchema.CAPTION);
    return VisionLanguageTraining.Item.plain(r.getAs(PairsSchema.KEY), r.getAs(PairsSchema.IMAGE),
        ClipInputs.tokens(tokenizer, text == null ? "" : text, context + 1));
  }

  /** The exit code without exiting, for the CLI and tests. */
  public static int run(String[] args) {
    return JobLauncher.main(new AlignJob(), args, System.err);
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    JobLauncher.exit(run(args));
  }
}
