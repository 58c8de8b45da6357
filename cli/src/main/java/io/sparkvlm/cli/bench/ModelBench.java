package io.sparkvlm.cli.bench;

import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.bench.SgemmPeak;
import io.sparkvlm.core.model.bench.TrainingThroughput;
import io.sparkvlm.core.runtime.Versions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code vlm bench model}: training throughput of model presets in one process (no Spark, one fixed batch), and
 * MFU = model FLOP/s (from the preset's FLOP count) over the sgemm peak measured in the same run. Also the
 * forward pass alone, to show how the step's time splits. Each preset runs with ND4J on one thread and on all
 * cores, each against the sgemm peak of the same thread count: ND4J's per-op cost grows with its thread count
 * (OpenMP fork/join on every op), so small models run faster on one thread.
 */
public final class ModelBench {
  private ModelBench() {}

  public static int run(List<String> presets, int batch, int steps, Path json, boolean profile) throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    List<Integer> threadCounts = cores > 1 ? List.of(1, cores) : List.of(1);
    Map<Integer, SgemmPeak.Result> peaks = new LinkedHashMap<>();
    for (int t : threadCounts) {
      Nd4jThreads.set(t);
      peaks.put(t, SgemmPeak.measure(2048, 9));
    }
    BenchTable table = new BenchTable("model training benchmark, one process (spark-vlm " + Versions.codeVersion()
        + ")");
    table.context("cores", cores);
    table.context("nd4j backend", Versions.nd4jBackend());
    table.context("OPENBLAS_THREAD_TIMEOUT", Nd4jThreads.openBlasThreadTimeout());
    peaks.forEach((t, p) -> table.context("sgemm peak, " + t + " thread(s) (2048^3, median of 9)",
        String.format("%.1f GFLOP/s (best %.1f)", p.medianGflops(), p.bestGflops())));
    for (String name : presets) {
      ClipShape shape = ClipShape.preset(name);
      // the decoder LM with the preset's text tower: what LM pretraining and the LLaVA stages train
      LanguageModel.Shape lm = LanguageModel.Shape.of(shape);
      // LLaVA's model over the preset's towers (mlp2x_gelu, every layer training) and BLIP's matching model
      VisionLanguageModel.Shape vlm = VisionLanguageModel.Shape.of(shape, new Connector.Mlp2xGelu());
      MatchingModel.Shape itm = MatchingModel.Shape.of(shape);
      for (int threads : threadCounts) {
        Nd4jThreads.set(threads);
        SgemmPeak.Result peak = peaks.get(threads);
        add(table, shape.params(), shape.forwardFlopsPerSample(),
            TrainingThroughput.measure(shape, batch, 3, steps), threads, peak);
        add(table, lm.params(), lm.forwardFlopsPerSample(), TrainingThroughput.measure(lm, batch, 3, steps),
            threads, peak);
        add(table, vlm.params(), vlm.forwardFlopsPerSample(), TrainingThroughput.measure(vlm, batch, 3, steps),
            threads, peak);
        add(table, itm.params(), itm.forwardFlopsPerSample(), TrainingThroughput.measure(itm, batch, 3, steps),
            threads, peak);
        System.err.println(table.render());
      }
    }
    table.printAndWrite(json);
    if (profile) {
      profile(presets, batch, steps, threadCounts, json.resolveSibling(json.getFileName().toString()
          .replaceFirst("\\.json$", "") + "-profile.json"));
    }
    return 0;
  }

  /**
   * Per-op time of one training step of every model kind of each preset, ND4J on each thread count: the ops whose
   * time does not fall with more threads are where a step stops scaling.
   */
  private static void profile(List<String> presets, int batch, int steps, List<Integer> threadCounts, Path json)
      throws Exception {
    BenchTable table = new BenchTable("where a training step's time goes, per op (ms per step; spark-vlm "
        + Versions.codeVersion() + ")");
    for (String name : presets) {
      ClipShape shape = ClipShape.preset(name);
      for (TrainingThroughput.Prepared p : List.of(TrainingThroughput.prepare(shape, batch),
          TrainingThroughput.prepare(LanguageModel.Shape.of(shape), batch),
          TrainingThroughput.prepare(VisionLanguageModel.Shape.of(shape, new Connector.Mlp2xGelu()), batch),
          TrainingThroughput.prepare(MatchingModel.Shape.of(shape), batch))) {
        for (int threads : threadCounts) {
          Nd4jThreads.set(threads);
          Map<String, Double> ms = TrainingThroughput.profile(p, 3, steps);
          double step = ms.get("step");
          ms.forEach((op, v) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", p.model());
            row.put("threads", threads);
            row.put("op", op);
            row.put("ms per step", v);
            row.put("share %", 100 * v / step);
            table.add(row);
          });
        }
        System.err.println(table.render());
      }
    }
    table.printAndWrite(json);
  }

  private static void add(BenchTable table, long params, long forwardFlops, TrainingThroughput.Result r,
      int threads, SgemmPeak.Result peak) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("model", r.model());
    row.put("threads", threads);
    row.put("params", params);
    row.put("train GFLOP/sample", 3 * forwardFlops / 1e9);
    row.put("batch", r.batch());
    row.put("step s (median)", r.medianStepSeconds());
    row.put("samples/s", r.samplesPerSecond());
    row.put("model GFLOP/s", r.modelGflops());
    row.put("MFU %", 100 * r.modelGflops() / peak.medianGflops());
    row.put("forward share of step %", 100 * r.medianForwardSeconds() / r.medianStepSeconds());
    row.put("forward MFU %", 100 * (r.batch() * forwardFlops / 1e9 / r.medianForwardSeconds())
        / peak.medianGflops());
    table.add(row);
  }
}
