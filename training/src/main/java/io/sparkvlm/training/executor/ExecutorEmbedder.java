package io.sparkvlm.training.executor;

import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.WorkerSetup;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Embeddings computed on Spark executors: the model (its {@code model.zip} bytes) is broadcast once, each task
 * loads it and embeds its share of the images or captions ({@code perTask} per task); only the embeddings come
 * back to the driver.
 */
public final class ExecutorEmbedder implements ClipEvaluator.Embedder {
  private static final int BATCH = 64;

  private final JavaSparkContext sc;
  private final Broadcast<byte[]> model;
  private final ClipShape shape;
  private final int perTask;
  private final int threads;

  public ExecutorEmbedder(JavaSparkContext sc, byte[] modelZip, ClipShape shape, int perTask) {
    this.sc = sc;
    this.model = sc.broadcast(modelZip);
    this.shape = shape;
    this.perTask = perTask;
    this.threads = sc.getConf().getInt("spark.task.cpus", 1);
  }

  @Override
  public double[][] images(List<byte[]> encoded) {
    return embed(encoded, true);
  }

  @Override
  public double[][] texts(List<int[]> tokens) {
    return embed(tokens, false);
  }

  private <T> double[][] embed(List<T> items, boolean images) {
    Broadcast<byte[]> m = model;
    ClipShape s = shape;
    int t = threads;
    return OnExecutors.map(sc, items, perTask, (List<T> mine) -> embedTask(mine, m, s, t, images))
        .toArray(double[][]::new);
  }

  /** One task's share: the model loaded once, its items embedded in batches. */
  @SuppressWarnings("unchecked")
  private static <T> List<double[]> embedTask(List<T> items, Broadcast<byte[]> model, ClipShape shape, int threads,
      boolean images) throws Exception {
    WorkerSetup.prepare(threads);
    ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), false);
    if (images) {
      List<float[]> pixels = new ArrayList<>();
      for (T b : items) {
        pixels.add(ClipInputs.pixels((byte[]) b, shape.visionTower()));
      }
      return List.of(ClipEmbeddings.images(g, shape, pixels, BATCH));
    }
    return List.of(ClipEmbeddings.texts(g, shape, (List<int[]>) items, BATCH));
  }
}
