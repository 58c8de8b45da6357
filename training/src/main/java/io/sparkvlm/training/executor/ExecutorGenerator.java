package io.sparkvlm.training.executor;

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
 * once; each task loads it once and decodes its share of the requests ({@code perTask} per task) in batches of
 * {@link #BATCH}; only the replies' token ids come back to the driver. Each request carries its own seed, so a sampled
 * reply depends on the request alone, not on the batch or task it fell in.
 */
public final class ExecutorGenerator {
  /** Requests decoded together; a task's first batch starts at its first request. */
  public static final int BATCH = 16;

  /** An encoded image, the prompt's tokens ({@link ChatTemplate#prompt} or a bare start token) and a seed. */
  public record Request(byte[] image, int[] prompt, long seed) implements Serializable {
    /** A request for greedy decoding (the seed is unused). */
    public Request(byte[] image, int[] prompt) {
      this(image, prompt, 0);
    }
  }

  /** How to decode: sampling, minimum and maximum new tokens, the end-of-text token. */
  public record Decoding(Generation.Sampling sampling, int minNewTokens, int maxNewTokens, int endOfText)
      implements Serializable {
    public static Decoding greedy(int maxNewTokens, int endOfText) {
      return new Decoding(Generation.Sampling.GREEDY, 0, maxNewTokens, endOfText);
    }

    /** The same, choosing only ids below {@code vocabulary} (the tokenizer's size; see Sampling#within). */
    public Decoding within(int vocabulary) {
      return new Decoding(sampling.within(vocabulary), minNewTokens, maxNewTokens, endOfText);
    }
  }

  private final JavaSparkContext sc;
  private final Broadcast<byte[]> model;
  private final VisionLanguageModel.Shape shape;
  private final int perTask;
  private final Decoding decoding;
  private final int threads;

  public ExecutorGenerator(JavaSparkContext sc, byte[] modelZip, VisionLanguageModel.Shape shape, int perTask,
      Decoding decoding) {
    this.sc = sc;
    this.model = sc.broadcast(modelZip);
    this.shape = shape;
    this.perTask = perTask;
    this.decoding = decoding;
    this.threads = sc.getConf().getInt("spark.task.cpus", 1);
  }

  /** The reply tokens (prompt and end of text removed) for each request, in order. */
  public List<int[]> answers(List<Request> requests) {
    Broadcast<byte[]> m = model;
    VisionLanguageModel.Shape s = shape;
    int t = threads;
    Decoding d = decoding;
    return OnExecutors.map(sc, requests, perTask, (List<Request> mine) -> answerTask(mine, m, s, t, d));
  }

  /** Releases the broadcast model. */
  public void close() {
    model.destroy();
  }

  /** One task's share: the model loaded once, its requests decoded in batches of {@link #BATCH}. */
  private static List<int[]> answerTask(List<Request> requests, Broadcast<byte[]> model,
      VisionLanguageModel.Shape shape, int threads, Decoding decoding) throws Exception {
    WorkerSetup.prepare(threads);
    ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), false);
    VisionLanguageModel.Generator generator = new VisionLanguageModel.Generator(g, shape);
    List<int[]> out = new ArrayList<>();
    for (int from = 0; from < requests.size(); from += BATCH) {
      out.addAll(answer(generator, shape, requests.subList(from, Math.min(requests.size(), from + BATCH)),
          decoding));
    }
    return out;
  }

  /** One batch; the same function the driver can call to check the executors' replies. */
  public static List<int[]> answer(VisionLanguageModel.Generator generator, VisionLanguageModel.Shape shape,
      List<Request> requests, Decoding decoding) {
    int size = shape.vision().imageSize();
    List<float[]> pixels = new ArrayList<>();
    List<int[]> prompts = new ArrayList<>();
    long[] seeds = new long[requests.size()];
    for (int i = 0; i < requests.size(); i++) {
      Request r = requests.get(i);
      pixels.add(ClipInputs.pixels(r.image(), shape.vision()));
      prompts.add(r.prompt());
      seeds[i] = r.seed();
    }
    List<int[]> generated = generator.generate(ClipInputs.images(pixels, size), prompts, decoding.minNewTokens(),
        decoding.maxNewTokens(), decoding.endOfText(), decoding.sampling(), seeds);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      out.add(ChatTemplate.answer(generated.get(i), prompts.get(i).length, decoding.endOfText()));
    }
    return out;
  }
}
