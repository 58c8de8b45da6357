package io.sparkvlm.interop.openclip;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.text.ClipBpeTokenizer;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.interop.safetensors.DType;
import io.sparkvlm.interop.safetensors.Safetensors;
import io.sparkvlm.interop.safetensors.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm export openclip}: a spark-vlm CLIP checkpoint as a folder OpenCLIP loads with
 * {@code open_clip.create_model("local-dir:FOLDER")}: {@value #WEIGHTS} (OpenCLIP's state dict) and
 * {@value #CONFIG} ({@code model_cfg}, and {@code preprocess_cfg} with spark-vlm's normalisation). The folder is
 * written under a temporary name and renamed into place, so it is whole or absent.
 *
 * <p>A CLIP trained by spark-vlm has spark-vlm's BPE tokenizer, not OpenCLIP's: its text tower is exported to pool
 * at that tokenizer's end-of-text id ({@code pool_type: eos}), and its {@code tokenizer.json} is copied beside, but
 * OpenCLIP's own tokenizer does not produce its ids (its image tower needs none).
 */
public final class OpenClipExport {
  private static final Logger LOG = LoggerFactory.getLogger(OpenClipExport.class);
  public static final String WEIGHTS = "open_clip_model.safetensors";
  public static final String CONFIG = "open_clip_config.json";

  private OpenClipExport() {}

  public record Request(String checkpoint, String out, DType dtype, boolean overwrite) {}

  public static ClipShape run(Request r, Configuration conf) throws IOException {
    if (!r.dtype().isFloat()) {
      throw new IllegalArgumentException("export dtype " + r.dtype() + " is not a float type (F32, F16, BF16)");
    }
    ModelCheckpoints.Loaded loaded = ModelCheckpoints.loadFor("--checkpoint", r.checkpoint(), conf);
    ClipShape shape = loaded.as(ModelArchitecture.Clip.class, "--checkpoint").shape();
    Tokenizer tokenizer = loaded.requireTokenizer();
    boolean openClipTokenizer = tokenizer instanceof ClipBpeTokenizer;
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.set("model_cfg", OpenClipConfig.modelConfig(shape,
        openClipTokenizer ? OptionalInt.empty() : OptionalInt.of(tokenizer.endOfText())));
    ObjectNode pre = config.putObject("preprocess_cfg");
    pre.put("size", shape.imageSize());
    pre.put("mode", "RGB");
    float[][] stats = {ClipInputs.MEAN, ClipInputs.STD};
    String[] keys = {"mean", "std"};
    for (int k = 0; k < 2; k++) {
      var a = pre.putArray(keys[k]);
      for (float v : stats[k]) {
        a.add((double) v);
      }
    }
    OpenClipConfig.putPreprocess(pre, shape);
    List<Tensor> tensors = tensors(loaded.model(), OpenClipLayout.of(shape, false), r.dtype());

    Path target = new Path(r.out());
    FileSystem fs = target.getFileSystem(conf);
    if (fs.exists(target) && !r.overwrite()) {
      throw new java.nio.file.FileAlreadyExistsException(r.out(), null, "already exists; pass --overwrite to "
          + "replace it");
    }
    Path parent = target.getParent();
    fs.mkdirs(parent);
    Path tmp = new Path(parent, "._tmp-" + target.getName() + "-" + UUID.randomUUID());
    try {
      fs.mkdirs(tmp);
      Safetensors.write(tensors, Map.of("format", "pt"), new Path(tmp, WEIGHTS), false, conf);
      HadoopFiles.writeAtomically(new Path(tmp, CONFIG), Json.MAPPER.writerWithDefaultPrettyPrinter()
          .writeValueAsBytes(config), conf);
      if (!openClipTokenizer) {
        HadoopFiles.writeAtomically(new Path(tmp, ModelCheckpoints.TOKENIZER),
            tokenizer.toJson().getBytes(StandardCharsets.UTF_8), conf);
        LOG.warn("export openclip: {} has spark-vlm's BPE tokenizer ({} ids), not OpenCLIP's: its text tower pools "
            + "at id {} and needs that tokenizer ({} copied beside)", r.checkpoint(), tokenizer.vocabSize(),
            tokenizer.endOfText(), ModelCheckpoints.TOKENIZER);
      }
      if (fs.exists(target)) {
        fs.delete(target, true);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("Could not rename " + tmp + " to " + target);
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
    }
    LOG.info("export openclip: {} tensors of {} as {} in {}", tensors.size(), shape.name(), r.dtype(), r.out());
    return shape;
  }

  /** The parameters of {@code graph} as OpenCLIP's tensors, stored as {@code dtype}. */
  static List<Tensor> tensors(ComputationGraph graph, List<OpenClipLayout.Mapping> layout, DType dtype) {
    List<Tensor> out = new ArrayList<>();
    for (OpenClipLayout.Mapping m : layout) {
      INDArray param = graph.getLayer(m.layer()).getParam(m.param());
      float[] values = param.castTo(DataType.FLOAT).dup('c').data().asFloat();
      out.add(Tensor.ofFloats(m.key(), dtype, m.openClipShape(), OpenClipLayout.toOpenClip(m, values)));
    }
    return out;
  }
}
