package io.sparkvlm.cli.bench;

import io.sparkvlm.core.model.ClipShape;
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
 * forward pass alone, to show how the step's time splits.
 */
public final class ModelBench {
  private ModelBench() {}

  public static int run(List<String> presets, int batch, int steps, int threads, Path json) throws Exception {
    Nd4jThreads.set(threads);
    SgemmPeak.Result peak = SgemmPeak.measure(2048, 9);
    BenchTable table = new BenchTable("model training benchmark, one process (spark-vlm " + Versions.codeVersion()
        + ")");
    table.context("cores", Runtime.getRuntime().availableProcessors());
    table.context("nd4j threads", threads > 0 ? threads : "default (all cores)");
    table.context("nd4j backend", Versions.nd4jBackend());
    table.context("sgemm peak (2048^3, median of 9)", String.format("%.1f GFLOP/s (best %.1f)",
        peak.medianGflops(), peak.bestGflops()));
    for (String name : presets) {
      ClipShape shape = ClipShape.preset(name);
      TrainingThroughput.Result r = TrainingThroughput.measure(shape, batch, 3, steps);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("model", "clip " + shape.name());
      row.put("params", shape.params());
      row.put("train GFLOP/sample", shape.trainingFlopsPerSample() / 1e9);
      row.put("batch", batch);
      row.put("step s (median)", r.medianStepSeconds());
      row.put("samples/s", r.samplesPerSecond());
      row.put("model GFLOP/s", r.modelGflops());
      row.put("MFU %", 100 * r.modelGflops() / peak.medianGflops());
      row.put("forward share of step %", 100 * r.medianForwardSeconds() / r.medianStepSeconds());
      row.put("forward MFU %", 100 * (batch * shape.forwardFlopsPerSample() / 1e9 / r.medianForwardSeconds())
          / peak.medianGflops());
      table.add(row);
      System.err.println(table.render());
    }
    System.out.println(table.render());
    table.write(json);
    System.out.println("wrote " + json);
    return 0;
  }
}
