package io.sparkvlm.core.clipeval;

import io.sparkvlm.core.clipeval.ClipEvalSets.RetrievalSet;
import io.sparkvlm.core.clipeval.ClipEvalSets.ZeroShotTask;
import io.sparkvlm.core.metrics.Retrieval;
import io.sparkvlm.core.metrics.ZeroShot;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.text.Tokenizer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Zero-shot classification and retrieval of one CLIP model on {@link ClipEvalSets}, as CLIP_benchmark computes
 * them: class embedding = mean of the normalised template embeddings, renormalised (or the first template's alone,
 * {@link Templates#FIRST}); logits = cosine similarity.
 * Keys: {@code zeroshot/TASK/acc1|acc5|mean_per_class_recall}, {@code retrieval/image_to_text_R@k}, ... (see
 * {@link Retrieval#evaluate}). How embeddings are computed is the caller's: on the driver during training
 * ({@link #evaluate(ComputationGraph)}), on Spark executors in {@code vlm eval model}.
 */
public final class ClipEvaluator {
  private static final int BATCH = 64;

  /** Computes L2-normalised embeddings. */
  public interface Embedder {
    double[][] images(List<byte[]> encoded);

    double[][] texts(List<int[]> tokens);
  }

  /** One zero-shot task's outcome: per image, the true and predicted class, and its image embedding. */
  public record TaskOutcome(ZeroShotTask task, int[] predictions, double[][] imageEmbeddings) {}

  /** Retrieval's outcome: for each image, the index (into all captions, in order) of its best-matching caption. */
  public record RetrievalOutcome(RetrievalSet set, List<String> captions, int[] bestCaption) {}

  public record Evaluation(Map<String, Double> metrics, List<TaskOutcome> zeroShot,
      Optional<RetrievalOutcome> retrieval) {}

  /**
   * Which prompt templates make a class embedding: all of a task's templates averaged (CLIP's prompt ensembling,
   * CLIP_benchmark's default), or only its first template (no ensembling).
   */
  public enum Templates { ENSEMBLE, FIRST }

  private final ClipShape shape;
  private final Tokenizer tokenizer;
  private final ClipEvalSets sets;
  private final Templates templates;
  private final Map<byte[], float[]> pixelCache = new IdentityHashMap<>();

  /** With prompt ensembling. */
  public ClipEvaluator(ClipShape shape, Tokenizer tokenizer, ClipEvalSets sets) {
    this(shape, tokenizer, sets, Templates.ENSEMBLE);
  }

  public ClipEvaluator(ClipShape shape, Tokenizer tokenizer, ClipEvalSets sets, Templates templates) {
    this.shape = shape;
    this.tokenizer = tokenizer;
    this.sets = sets;
    this.templates = templates;
  }

  /** Metrics with embeddings computed here, on {@code model}; images are decoded once and kept for later calls. */
  public Map<String, Double> evaluate(ComputationGraph model) {
    return evaluate(new Embedder() {
      @Override
      public double[][] images(List<byte[]> encoded) {
        List<float[]> pixels = new ArrayList<>();
        for (byte[] b : encoded) {
          pixels.add(pixelCache.computeIfAbsent(b, e -> ClipInputs.pixels(e, shape.visionTower())));
        }
        return ClipEmbeddings.images(model, shape, pixels, BATCH);
      }

      @Override
      public double[][] texts(List<int[]> tokens) {
        return ClipEmbeddings.texts(model, shape, tokens, BATCH);
      }
    }).metrics();
  }

  public Evaluation evaluate(Embedder embedder) {
    Map<String, Double> out = new LinkedHashMap<>();
    List<TaskOutcome> tasks = new ArrayList<>();
    // the sets share their images (the zero-shot tasks are views of one test split): embed each image once
    Map<byte[], double[]> embedded = new IdentityHashMap<>();
    List<byte[]> unique = new ArrayList<>();
    sets.zeroShot().forEach(t -> t.images().forEach(b -> addOnce(b, embedded, unique)));
    sets.retrieval().ifPresent(r -> r.images().forEach(b -> addOnce(b, embedded, unique)));
    double[][] uniqueEmbeddings = embedder.images(unique);
    for (int i = 0; i < unique.size(); i++) {
      embedded.put(unique.get(i), uniqueEmbeddings[i]);
    }
    for (ZeroShotTask t : sets.zeroShot()) {
      double[][] image = rows(t.images(), embedded);
      List<String> used = templates == Templates.ENSEMBLE ? t.templates() : t.templates().subList(0, 1);
      List<int[]> prompts = new ArrayList<>();
      for (String c : t.classes()) {
        for (String template : used) {
          prompts.add(ClipInputs.tokens(tokenizer, template.replace("{}", c), shape.contextLength()));
        }
      }
      double[][] promptEmbeddings = embedder.texts(prompts);
      int perClass = used.size();
      double[][] classes = new double[t.classes().size()][];
      for (int c = 0; c < classes.length; c++) {
        double[][] mine = new double[perClass][];
        System.arraycopy(promptEmbeddings, c * perClass, mine, 0, perClass);
        classes[c] = ZeroShot.classEmbedding(mine);
      }
      double[][] logits = ClipEmbeddings.similarity(image, classes);
      ZeroShot.evaluate(logits, t.labels(), classes.length)
          .forEach((k, v) -> out.put("zeroshot/" + t.name() + "/" + k, v));
      int[] predictions = new int[logits.length];
      for (int i = 0; i < logits.length; i++) {
        predictions[i] = argMax(logits[i]);
      }
      tasks.add(new TaskOutcome(t, predictions, image));
    }
    Optional<RetrievalOutcome> retrieval = Optional.empty();
    if (sets.retrieval().isPresent()) {
      RetrievalSet r = sets.retrieval().get();
      List<int[]> tokens = new ArrayList<>();
      List<String> captions = new ArrayList<>();
      List<Integer> textImage = new ArrayList<>();
      for (int i = 0; i < r.captions().size(); i++) {
        for (String c : r.captions().get(i)) {
          tokens.add(ClipInputs.tokens(tokenizer, c, shape.contextLength()));
          captions.add(c);
          textImage.add(i);
        }
      }
      double[][] similarity = ClipEmbeddings.similarity(rows(r.images(), embedded), embedder.texts(tokens));
      Retrieval.evaluate(similarity, textImage.stream().mapToInt(Integer::intValue).toArray(), 1, 5, 10)
          .forEach((k, v) -> out.put("retrieval/" + k, v));
      int[] best = new int[similarity.length];
      for (int i = 0; i < similarity.length; i++) {
        best[i] = argMax(similarity[i]);
      }
      retrieval = Optional.of(new RetrievalOutcome(r, captions, best));
    }
    return new Evaluation(out, tasks, retrieval);
  }

  private static void addOnce(byte[] image, Map<byte[], double[]> embedded, List<byte[]> unique) {
    if (!embedded.containsKey(image)) {
      embedded.put(image, null);
      unique.add(image);
    }
  }

  private static double[][] rows(List<byte[]> images, Map<byte[], double[]> embedded) {
    double[][] out = new double[images.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = embedded.get(images.get(i));
    }
    return out;
  }

  /** The keys people read first: top-1 accuracies and recall@1/5 both ways. */
  public static boolean isHeadline(String key) {
    return key.endsWith("/acc1") || key.matches("retrieval/(image_to_text|text_to_image)_R@[15]");
  }

  private static int argMax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
