package io.sparkvlm.filter;

import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.Generation;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.core.text.SpecialTokens;
import io.sparkvlm.training.EpochBatches;
import io.sparkvlm.training.executor.ExecutorGenerator;
import io.sparkvlm.training.executor.ModelPartitions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The two passes over the web images on the executors: synthetic captions from the captioner, then the scores of
 * every text (the web caption first, then the synthetic ones). Row-level work is plain functions of their inputs;
 * items never come to the driver.
 */
final class WebTexts {
  private WebTexts() {}

  /** A successful web row and its texts: the web caption first, then the synthetic captions. */
  record Texts(Row row, List<String> texts) implements Serializable {
    String key() {
      return row.getAs(PairsSchema.KEY);
    }

    byte[] image() {
      return row.getAs(PairsSchema.IMAGE);
    }
  }

  /** A row's texts with the matching model's probability (NaN when not scored) and the CLIP's cosine for each. */
  record Scored(Row row, List<String> texts, double[] itm, double[] itc) implements Serializable {
    String key() {
      return row.getAs(PairsSchema.KEY);
    }
  }

  /** The web caption alone (no captioner). */
  static JavaRDD<Texts> webOnly(JavaRDD<Row> rows) {
    return rows.map(r -> new Texts(r, List.of(caption(r))));
  }

  private static String caption(Row r) {
    String c = r.getAs(PairsSchema.CAPTION);
    return c == null ? "" : c;
  }

  /** The seed of a row's i-th synthetic caption: (caption seed, row key, i) alone. */
  static long captionSeed(long seed, String key, int i) {
    return EpochBatches.order(seed, i, key);
  }

  /** Synthetic captions for every row: {@code c.perImage()} each, nucleus-sampled, seeded per (row, caption). */
  static JavaRDD<Texts> captioned(JavaRDD<Row> rows, Broadcast<byte[]> captioner, VisionLanguageModel.Shape shape,
      Broadcast<BpeTokenizer> tokenizer, FilterConfig.Captions c, int threads) {
    return ModelPartitions.map("filter: synthetic captions (images)", rows, captioner, c.batch(), threads,
        g -> new VisionLanguageModel.Generator(g, shape),
        (VisionLanguageModel.Generator generator, List<Row> batch) -> {
          BpeTokenizer t = tokenizer.value();
          int start = t.id(SpecialTokens.START_OF_TEXT);
          ExecutorGenerator.Decoding decoding = new ExecutorGenerator.Decoding(
              new Generation.Sampling(c.temperature(), 0, c.topP(), 0).within(t.vocabSize()), c.minTokens(),
              c.maxTokens(), t.id(SpecialTokens.END_OF_TEXT));
          List<ExecutorGenerator.Request> requests = new ArrayList<>();
          for (Row r : batch) {
            for (int i = 0; i < c.perImage(); i++) {
              requests.add(new ExecutorGenerator.Request(r.getAs(PairsSchema.IMAGE), new int[] {start},
                  captionSeed(c.seed(), r.getAs(PairsSchema.KEY), i)));
            }
          }
          List<int[]> replies = ExecutorGenerator.answer(generator, shape, requests, decoding);
          List<Texts> out = new ArrayList<>();
          for (int b = 0; b < batch.size(); b++) {
            List<String> texts = new ArrayList<>(List.of(caption(batch.get(b))));
            for (int i = 0; i < c.perImage(); i++) {
              texts.add(t.decode(replies.get(b * c.perImage() + i), true).strip());
            }
            out.add(new Texts(batch.get(b), texts));
          }
          return out;
        });
  }

  /** The models that score a batch on an executor: the matching model (absent in clip-score mode) and the CLIP. */
  record Scorers(Optional<ComputationGraph> itm, ComputationGraph clip) {}

  /**
   * Scores every text of every row: ITM match probability ({@code matcher} absent: NaN) and the CLIP's cosine. The
   * matcher's and the CLIP's text towers read CLIP-tokenised text ({@code clipTokenizer}).
   */
  static JavaRDD<Scored> scored(JavaRDD<Texts> texts, Broadcast<byte[]> clip, ClipShape clipShape,
      Optional<Broadcast<byte[]>> matcher, MatchingModel.Shape matcherShape,
      Broadcast<Tokenizer> clipTokenizer, int batch, int threads) {
    Broadcast<byte[]> scoringModel = matcher.orElse(clip);
    boolean withMatcher = matcher.isPresent();
    ModelPartitions.Preparation<Scorers> scorers = g -> withMatcher ? new Scorers(Optional.of(g), load(clip))
        : new Scorers(Optional.empty(), g);
    return ModelPartitions.map("filter: scores (images)", texts, scoringModel, batch, threads, scorers,
        (Scorers models, List<Texts> part) -> {
          Tokenizer tok = clipTokenizer.value();
          List<float[]> imagePixels = new ArrayList<>();
          List<float[]> pairPixels = new ArrayList<>();
          List<int[]> pairTokens = new ArrayList<>();
          for (Texts t : part) {
            float[] px = ClipInputs.pixels(t.image(), clipShape.visionTower());
            imagePixels.add(px);
            for (String text : t.texts()) {
              pairPixels.add(px);
              pairTokens.add(ClipInputs.tokens(tok, text, clipShape.contextLength()));
            }
          }
          double[][] imageEmb = ClipEmbeddings.images(models.clip(), clipShape, imagePixels, batch);
          double[][] textEmb = ClipEmbeddings.texts(models.clip(), clipShape, pairTokens, batch);
          double[] itc = new double[pairTokens.size()];
          int k = 0;
          for (int i = 0; i < part.size(); i++) {
            for (int j = 0; j < part.get(i).texts().size(); j++, k++) {
              itc[k] = dot(imageEmb[i], textEmb[k]);
            }
          }
          double[] itm = new double[pairTokens.size()];
          Arrays.fill(itm, Double.NaN);
          if (models.itm().isPresent()) {
            int size = matcherShape.vision().imageSize();
            boolean readsItc = matcherShape.head() == MatchingModel.Head.FUSED_AND_ITC;
            for (int from = 0; from < pairTokens.size(); from += batch) {
              int to = Math.min(pairTokens.size(), from + batch);
              double[] p = MatchingModel.matchProbability(models.itm().get(), matcherShape,
                  ClipInputs.images(pairPixels.subList(from, to), size), pairTokens.subList(from, to),
                  readsItc ? Optional.of(Arrays.copyOfRange(itc, from, to)) : Optional.empty());
              System.arraycopy(p, 0, itm, from, p.length);
            }
          }
          List<Scored> out = new ArrayList<>();
          k = 0;
          for (Texts t : part) {
            int n = t.texts().size();
            out.add(new Scored(t.row(), t.texts(), Arrays.copyOfRange(itm, k, k + n),
                Arrays.copyOfRange(itc, k, k + n)));
            k += n;
          }
          return out;
        });
  }

  private static ComputationGraph load(Broadcast<byte[]> model) throws IOException {
    return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), false);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
