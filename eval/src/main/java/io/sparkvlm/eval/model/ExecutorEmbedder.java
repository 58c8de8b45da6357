package io.sparkvlm.eval.model;

import io.sparkvlm.core.clipeval.ClipEvaluator;
import io.sparkvlm.core.model.ClipEmbeddings;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.WorkerSetup;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import scala.Tuple2;

/**
 * Embeddings computed on Spark executors: the model (its {@code model.zip} bytes) is broadcast once, each task
 * loads it and embeds its share of the images or captions ({@code perTask} per task); only the embeddings come
 * back to the driver.
 */
final class ExecutorEmbedder implements ClipEvaluator.Embedder {
  private static final int BATCH = 64;

  private final JavaSparkContext sc;
  private final Broadcast<byte[]> model;
  private final ClipShape shape;
  private final int perTask;
  private final int threads;

  ExecutorEmbedder(JavaSparkContext sc, byte[] modelZip, ClipShape shape, int perTask) {
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
    List<Tuple2<Integer, T>> indexed = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      indexed.add(new Tuple2<>(i, items.get(i)));
    }
    int slices = Math.max(1, (items.size() + perTask - 1) / perTask);
    Broadcast<byte[]> m = model;
    ClipShape s = shape;
    int t = threads;
    List<Tuple2<Integer, double[]>> out = sc.parallelize(indexed, slices)
        .mapPartitions((Iterator<Tuple2<Integer, T>> it) -> embedPartition(it, m, s, t, images).iterator())
        .collect();
    double[][] result = new double[items.size()][];
    for (Tuple2<Integer, double[]> r : out) {
      result[r._1()] = r._2();
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  private static <T> List<Tuple2<Integer, double[]>> embedPartition(Iterator<Tuple2<Integer, T>> it,
      Broadcast<byte[]> model, ClipShape shape, int threads, boolean images) throws Exception {
    List<Integer> ids = new ArrayList<>();
    List<T> items = new ArrayList<>();
    it.forEachRemaining(t -> {
      ids.add(t._1());
      items.add(t._2());
    });
    List<Tuple2<Integer, double[]>> out = new ArrayList<>();
    if (items.isEmpty()) {
      return out;
    }
    WorkerSetup.prepare(threads);
    ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), false);
    double[][] e;
    if (images) {
      List<float[]> pixels = new ArrayList<>();
      for (T b : items) {
        pixels.add(ClipInputs.pixels((byte[]) b, shape.imageSize()));
      }
      e = ClipEmbeddings.images(g, shape, pixels, BATCH);
    } else {
      e = ClipEmbeddings.texts(g, shape, (List<int[]>) items, BATCH);
    }
    for (int i = 0; i < e.length; i++) {
      out.add(new Tuple2<>(ids.get(i), e[i]));
    }
    return out;
  }
}
