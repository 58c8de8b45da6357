package io.sparkvlm.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.HardNegatives;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class CaptionsAndNegativesTest {
  /** BLIP's sampler for the matcher: never a caption of the same seed image, never the same image. */
  @Test
  void hardNegativesNeverPickTheirPositiveNorAnotherCaptionOfItsImage() {
    SplittableRandom r = new SplittableRandom(9);
    for (int trial = 0; trial < 200; trial++) {
      List<MatcherTraining.Item> items = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        float[] u = new float[4];
        float[] v = new float[4];
        for (int k = 0; k < 4; k++) {
          u[k] = (float) r.nextGaussian();
          v[k] = (float) r.nextGaussian();
        }
        items.add(new MatcherTraining.Item("k" + trial + "-" + i, i / 3, null, new int[] {1}, u, v));
      }
      HardNegatives.Picks p = MatcherTraining.negatives(items, 5, trial, 20);
      for (int i = 0; i < items.size(); i++) {
        assertThat(items.get(p.textForImage()[i]).imageId()).isNotEqualTo(items.get(i).imageId());
        assertThat(items.get(p.imageForText()[i]).imageId()).isNotEqualTo(items.get(i).imageId());
      }
    }
  }

  /** A row's synthetic captions depend on (seed, key, caption number) alone: not on partitions or batches. */
  @Test
  void webNegativesDependOnTheItemAndEpochNotOnItsBatch() {
    List<MatcherTraining.WebText> web = new ArrayList<>();
    for (int w = 0; w < 50; w++) {
      web.add(new MatcherTraining.WebText(new int[] {1, 100 + w, 2}, new float[1]));
    }
    List<MatcherTraining.Item> items = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      items.add(new MatcherTraining.Item("seed-" + i + "-0", i, null, new int[] {1}, new float[1], new float[1]));
    }
    List<MatcherTraining.WebText> all = MatcherTraining.webNegatives(items, web, 2, 7, 0);
    assertThat(all).hasSize(12);
    List<MatcherTraining.WebText> last = MatcherTraining.webNegatives(items.subList(5, 6), web, 2, 7, 0);
    assertThat(last).containsExactly(all.get(10), all.get(11));
    java.util.Set<Integer> picked = new java.util.HashSet<>();
    all.forEach(t -> picked.add(t.tokens()[1]));
    assertThat(picked.size()).as("drawn from the pool, not one text").isGreaterThan(4);
    assertThat(MatcherTraining.webNegatives(items, web, 2, 7, 1)).as("another epoch, other draws")
        .isNotEqualTo(all);
  }

  @Test
  void theSameSeedGivesTheSameCaptionsWhateverThePartitioning() throws Exception {
    var spark = SparkTestSessions.local();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    ClipShape nano = ClipShape.preset("nano");
    VisionLanguageModel.Shape shape = VisionLanguageModel.Shape.of("captioner-nano", nano.visionTower(),
        LanguageModel.Shape.of(nano), new Connector.Linear());
    ComputationGraph vlm = VisionLanguageModel.build(shape, Optimiser.adam(1e-3), DataType.FLOAT, 3,
        VisionLanguageModel.Trainable.ALL);
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    ModelSerializer.writeModel(vlm, zip, false);
    BpeTokenizer tok = BpeTrainer.train(sc.parallelize(List.of("a red star", "a blue square", "two green circles")),
        300, 1);
    List<Row> rows = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < 20; i++) {
      BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
      img.setRGB(r.nextInt(32), r.nextInt(32), 0xffffff);
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(img, "png", png);
      rows.add(RowFactory.create("key" + i, "http://x/" + i, "caption " + i, png.toByteArray(), "png", 32, 32, 32, 32,
          null, null, PairStatus.SUCCESS.value(), null, "t", null));
    }
    // rows as the job reads them: with the pairs schema, so fields are reached by name
    JavaRDD<Row> input = spark.createDataFrame(rows, PairsSchema.COLUMNS).javaRDD();
    Broadcast<byte[]> model = sc.broadcast(zip.toByteArray());
    Broadcast<BpeTokenizer> tokenizer = sc.broadcast(tok);
    FilterConfig.Captions c = new FilterConfig.Captions(2, 0.9, 1.0, 1, 6, 7, 3);
    Map<String, List<String>> one = captions(WebTexts.captioned(input.coalesce(1), model, shape, tokenizer, c,
        1));
    Map<String, List<String>> three = captions(WebTexts.captioned(input.repartition(3), model, shape, tokenizer,
        new FilterConfig.Captions(2, 0.9, 1.0, 1, 6, 7, 5), 1));
    assertThat(three).isEqualTo(one);
    assertThat(one.get("key0")).hasSize(3);                      // the web caption, then two synthetic ones
    assertThat(one.get("key0").get(1)).isNotEqualTo(one.get("key0").get(2));   // sampled, not greedy
    Map<String, List<String>> otherSeed = captions(WebTexts.captioned(input.coalesce(1), model, shape,
        tokenizer, new FilterConfig.Captions(2, 0.9, 1.0, 1, 6, 8, 3), 1));
    assertThat(otherSeed).isNotEqualTo(one);
  }

  private static Map<String, List<String>> captions(JavaRDD<WebTexts.Texts> texts) {
    Map<String, List<String>> out = new TreeMap<>();
    texts.collect().forEach(t -> out.put(t.row().getAs(PairsSchema.KEY), t.texts()));
    return out;
  }
}
