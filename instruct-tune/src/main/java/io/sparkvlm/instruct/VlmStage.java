package io.sparkvlm.instruct;

import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.training.TrainingItems;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.TrainingSettings;
import io.sparkvlm.training.vlm.VisionLanguageTraining;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What both LLaVA stages share: one training run of a vision-language model. */
final class VlmStage {
  private static final Logger LOG = LoggerFactory.getLogger(VlmStage.class);

  private VlmStage() {}

  /** Trains {@code shape} on {@code items} with {@code trainable} layers, from {@code from}; returns the summary. */
  static String train(SparkSession spark, TrainingSettings s, VisionLanguageModel.Shape shape,
      VisionLanguageModel.Trainable trainable, VisionLanguageTraining.Start from, BpeTokenizer tokenizer,
      List<String> inputs, String what, JavaRDD<VisionLanguageTraining.Item> items, Broadcast<?>... broadcasts)
      throws IOException {
    TrainingRun.checkVocabulary(tokenizer, shape.lm().vocabSize(), shape.lm().name());
    TrainingRun.Start start = TrainingRun.start(s, new ModelArchitecture.VisionLanguage(shape),
        spark.sparkContext().hadoopConfiguration());
    int threads = TrainingRun.threads(spark, s);
    Nd4jThreads.set(threads);
    LOG.info("{}: model {} ({} parameters), {} training, from {}", TrainingRun.stage(s), shape.name(),
        shape.params(), trainable, from.parents());
    try (TrainingItems<VisionLanguageTraining.Item> rdd = TrainingItems.persist(items, broadcasts)) {
      return TrainingRun.train(spark, s, start, inputs, what, rdd.rdd(), tokenizer,
          new VisionLanguageTraining.ModelTrainer(shape, trainable, s.seed(), threads, from));
    }
  }
}
