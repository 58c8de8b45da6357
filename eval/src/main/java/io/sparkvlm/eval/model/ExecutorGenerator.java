package io.sparkvlm.eval.model;

import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.Generation;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.WorkerSetup;
import io.sparkvlm.core.text.ChatTemplate;
import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A vision-language model's replies computed on Spark executors: the model ({@code model.zip} bytes) is broadcast
 * once; each task loads it and answers its share of the requests ({@code perTask} per task) by greedy decoding, in
 * batches of {@link #BATCH}; only the answers' token ids come back to the driver.
 */
final class ExecutorGenerator {
  /** Requests decoded together; a task's first batch starts at its first request. */
  static final int BATCH = 16;

  /** An encoded image and the prompt's tokens ({@link ChatTemplate#prompt}). */
  record Request(byte[] image, int[] prompt) implements Serializable {}

  private final JavaSparkContext sc;
  private final Broadcast<byte[]> model;
  private final VisionLanguageModel.Shape shape;
  private final int perTask;
  private final int maxNewTokens;
  private final int endOfText;
  private final int threads;

  ExecutorGenerator(JavaSparkContext sc, byte[] modelZip, VisionLanguageModel.Shape shape, int perTask,
      int maxNewTokens, int endOfText) {
    this.sc = sc;
    this.model = sc.broadcast(modelZip);
    this.shape = shape;
    this.perTask = perTask;
    this.maxNewTokens = maxNewTokens;
    this.endOfText = endOfText;
    this.threads = sc.getConf().getInt("spark.task.cpus", 1);
  }

  /** The answer tokens (prompt and end of text removed) for each request, in order. */
  List<int[]> answers(List<Request> requests) {
    Broadcast<byte[]> m = model;
    VisionLanguageModel.Shape s = shape;
    int t = threads;
    int max = maxNewTokens;
    int end = endOfText;
    return OnExecutors.map(sc, requests, perTask, (List<Request> mine) -> answerTask(mine, m, s, t, max, end));
  }

  /** One task's share: the model loaded once, its requests decoded in batches of {@link #BATCH}. */
  private static List<int[]> answerTask(List<Request> requests, Broadcast<byte[]> model,
      VisionLanguageModel.Shape shape, int threads, int maxNewTokens, int endOfText) throws Exception {
    WorkerSetup.prepare(threads);
    ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), false);
    List<int[]> out = new ArrayList<>();
    for (int from = 0; from < requests.size(); from += BATCH) {
      out.addAll(answer(g, shape, requests.subList(from, Math.min(requests.size(), from + BATCH)), maxNewTokens,
          endOfText));
    }
    return out;
  }

  /** One batch, greedy; the same function the driver can call to check the executors' answers. */
  static List<int[]> answer(ComputationGraph g, VisionLanguageModel.Shape shape, List<Request> requests,
      int maxNewTokens, int endOfText) {
    int size = shape.clip().imageSize();
    List<float[]> pixels = new ArrayList<>();
    List<int[]> prompts = new ArrayList<>();
    for (Request r : requests) {
      pixels.add(ClipInputs.pixels(r.image(), size));
      prompts.add(r.prompt());
    }
    List<int[]> generated = VisionLanguageModel.generate(g, shape, ClipInputs.images(pixels, size), prompts,
        maxNewTokens, endOfText, Generation.Sampling.GREEDY);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      out.add(ChatTemplate.answer(generated.get(i), prompts.get(i).length, endOfText));
    }
    return out;
  }
}
