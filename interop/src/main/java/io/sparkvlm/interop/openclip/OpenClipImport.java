package io.sparkvlm.interop.openclip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.ClipBpeTokenizer;
import io.sparkvlm.interop.safetensors.Safetensors;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm import openclip}: an OpenCLIP CLIP (its safetensors state dict and model-config JSON) as a spark-vlm
 * CLIP checkpoint, with OpenCLIP's tokenizer, usable wherever a stage takes a CLIP checkpoint. Every tensor is
 * checked before the checkpoint is written: a missing, unexpected or mis-shaped one is an error naming it (and both
 * shapes). The manifest records where the weights came from (path, SHA-256, the model config).
 */
public final class OpenClipImport {
  private static final Logger LOG = LoggerFactory.getLogger(OpenClipImport.class);
  /** How many names an error lists at most. */
  private static final int LISTED = 8;

  private OpenClipImport() {}

  /**
   * @param weights the state dict, safetensors
   * @param modelConfig OpenCLIP's model config JSON (or an open_clip_config.json)
   * @param out the checkpoint folder to write
   * @param name the model's name; empty: {@code clip-} and the config file's name
   */
  public record Request(String weights, String modelConfig, String out, Optional<String> name, boolean overwrite) {}

  /** Imports, writes the checkpoint, and returns the model's shape. */
  public static ClipShape run(Request r, Configuration conf) throws IOException {
    Path configPath = new Path(r.modelConfig());
    JsonNode configJson;
    try {
      configJson = Json.MAPPER.readTree(HadoopFiles.readAll(configPath, conf));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new OpenClipError(r.modelConfig() + ": not JSON: " + e.getOriginalMessage());
    }
    String name = r.name().orElse("clip-" + configPath.getName().replaceFirst("\\.json$", ""));
    OpenClipConfig config = OpenClipConfig.parse(configJson, name, r.modelConfig());
    ClipShape shape = config.shape();
    ComputationGraph graph = ClipModel.build(shape, new NoOp(), DataType.FLOAT, 0);
    List<OpenClipLayout.Mapping> layout = OpenClipLayout.of(shape, config.customText());
    try (Safetensors.Reader in = Safetensors.open(new Path(r.weights()), conf)) {
      check(in, layout, r.weights(), r.modelConfig());
      for (OpenClipLayout.Mapping m : layout) {
        INDArray param = graph.getLayer(m.layer()).getParam(m.param());
        float[] values = OpenClipLayout.toSparkVlm(m, in.read(m.key()).floats());
        param.assign(Nd4j.create(values, param.shape(), 'c'));
      }
      LOG.info("import openclip: {} tensors, {} parameters from {}", layout.size(), graph.numParams(), r.weights());
    }
    String sha256 = sha256(new Path(r.weights()), conf);
    ObjectNode provenance = Json.MAPPER.createObjectNode();
    ObjectNode source = provenance.putObject("import").putObject("openclip");
    source.put("weights", r.weights());
    source.put("weights_sha256", sha256);
    source.put("model_config", r.modelConfig());
    source.set("model_config_json", configJson);
    CheckpointManifest manifest = new CheckpointManifest(shape.name(),
        Optional.of(new ModelArchitecture.Clip(shape).toJson()), 0, 0, provenance, List.of(), List.of(), Map.of(),
        Versions.all(), Instant.now().toString());
    ModelCheckpoints.save(graph, Optional.of(ClipBpeTokenizer.bundled()), r.out(), manifest, r.overwrite(), conf);
    LOG.info("import openclip: checkpoint {} ({})", r.out(), shape.name());
    return shape;
  }

  /** Every expected tensor present with its shape, nothing else present, and float-typed. */
  static void check(Safetensors.Reader in, List<OpenClipLayout.Mapping> layout, String weights, String config) {
    Map<String, OpenClipLayout.Mapping> expected = new LinkedHashMap<>();
    layout.forEach(m -> expected.put(m.key(), m));
    List<String> missing = new ArrayList<>();
    for (String key : expected.keySet()) {
      if (!in.has(key)) {
        missing.add(key);
      }
    }
    TreeSet<String> unexpected = new TreeSet<>();
    for (Safetensors.Entry e : in.entries()) {
      if (!expected.containsKey(e.name())) {
        unexpected.add(e.name());
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      StringBuilder msg = new StringBuilder(weights + " does not match the CLIP that " + config + " describes:");
      if (!missing.isEmpty()) {
        msg.append(" missing ").append(missing.size()).append(" tensor(s): ").append(listed(missing.stream()
            .map(k -> k + " " + Arrays.toString(expected.get(k).openClipShape())).toList())).append(';');
      }
      if (!unexpected.isEmpty()) {
        msg.append(" unexpected ").append(unexpected.size()).append(" tensor(s): ").append(listed(unexpected.stream()
            .map(k -> k + " " + Arrays.toString(in.entry(k).shape())).toList())).append(';');
      }
      throw new OpenClipError(msg.substring(0, msg.length() - 1));
    }
    for (OpenClipLayout.Mapping m : layout) {
      Safetensors.Entry e = in.entry(m.key());
      boolean scalarAsVector = m.openClipShape().length == 0 && Arrays.equals(e.shape(), new long[] {1});
      if (!Arrays.equals(e.shape(), m.openClipShape()) && !scalarAsVector) {
        throw new OpenClipError("Tensor " + m.key() + " is " + Arrays.toString(e.shape()) + " in " + weights + "; the "
            + "model config makes it " + Arrays.toString(m.openClipShape()));
      }
      if (!e.dtype().isFloat()) {
        throw new OpenClipError("Tensor " + m.key() + " in " + weights + " is " + e.dtype() + ", not a float type");
      }
    }
  }

  private static String listed(List<String> names) {
    String shown = names.stream().limit(LISTED).collect(Collectors.joining(", "));
    return names.size() > LISTED ? shown + ", ... (" + (names.size() - LISTED) + " more)" : shown;
  }

  private static String sha256(Path file, Configuration conf) throws IOException {
    try (java.io.InputStream in = file.getFileSystem(conf).open(file)) {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
      return java.util.HexFormat.of().formatHex(d.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
