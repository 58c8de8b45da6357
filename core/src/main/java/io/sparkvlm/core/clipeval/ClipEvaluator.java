package io.sparkvlm.core.clipeval;

import io.sparkvlm.core.clipeval.ClipEvalSets.RetrievalSet;
import io.sparkvlm.core.clipeval.ClipEvalSets.ZeroShotTask;
import io.sparkvlm.core.metrics.Retrieval;
import io.sparkvlm.core.metrics.ZeroShot;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.text.BpeTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Zero-shot classification and retrieval of one CLIP model on {@link ClipEvalSets}, as CLIP_benchmark computes
 * them: class embedding = mean of the normalised template embeddings, renormalised; logits = cosine similarity.
 * Keys: {@code zeroshot/TASK/acc1|acc5|mean_per_class_recall}, {@code retrieval/image_to_text_R@k}, ... (see
 * {@link Retrieval#evaluate}).
 */
public final class ClipEvaluator {
  private static final int BATCH = 64;

  private final ClipShape shape;
  private final BpeTokenizer tokenizer;
  private final ClipEvalSets sets;
  private final Map<ZeroShotTask, List<float[]>> zeroShotPixels = new LinkedHashMap<>();
  private final List<float[]> retrievalPixels;

  /** Decodes every image once; {@link #evaluate} can then run after every few training steps. */
  public ClipEvaluator(ClipShape shape, BpeTokenizer tokenizer, ClipEvalSets sets) {
    this.shape = shape;
    this.tokenizer = tokenizer;
    this.sets = sets;
    for (ZeroShotTask t : sets.zeroShot()) {
      zeroShotPixels.put(t, pixels(t.images()));
    }
    retrievalPixels = sets.retrieval().map(r -> pixels(r.images())).orElse(List.of());
  }

  private List<float[]> pixels(List<byte[]> images) {
    List<float[]> out = new ArrayList<>();
    for (byte[] b : images) {
      out.add(ClipInputs.pixels(b, shape.imageSize()));
    }
    return out;
  }

  public Map<String, Double> evaluate(ComputationGraph model) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<ZeroShotTask, List<float[]>> e : zeroShotPixels.entrySet()) {
      ZeroShotTask t = e.getKey();
      double[][] image = ClipEmbeddings.images(model, shape, e.getValue(), BATCH);
      double[][] classes = new double[t.classes().size()][];
      for (int c = 0; c < classes.length; c++) {
        List<int[]> prompts = new ArrayList<>();
        for (String template : t.templates()) {
          prompts.add(ClipInputs.tokens(tokenizer, template.replace("{}", t.classes().get(c)),
              shape.contextLength()));
        }
        classes[c] = ZeroShot.classEmbedding(ClipEmbeddings.texts(model, shape, prompts, BATCH));
      }
      double[][] logits = ClipEmbeddings.similarity(image, classes);
      ZeroShot.evaluate(logits, t.labels(), classes.length)
          .forEach((k, v) -> out.put("zeroshot/" + t.name() + "/" + k, v));
    }
    if (sets.retrieval().isPresent()) {
      RetrievalSet r = sets.retrieval().get();
      List<int[]> tokens = new ArrayList<>();
      List<Integer> textImage = new ArrayList<>();
      for (int i = 0; i < r.captions().size(); i++) {
        for (String c : r.captions().get(i)) {
          tokens.add(ClipInputs.tokens(tokenizer, c, shape.contextLength()));
          textImage.add(i);
        }
      }
      double[][] image = ClipEmbeddings.images(model, shape, retrievalPixels, BATCH);
      double[][] text = ClipEmbeddings.texts(model, shape, tokens, BATCH);
      Retrieval.evaluate(ClipEmbeddings.similarity(image, text),
          textImage.stream().mapToInt(Integer::intValue).toArray(), 1, 5, 10)
          .forEach((k, v) -> out.put("retrieval/" + k, v));
    }
    return out;
  }
}
