package io.sparkvlm.interop.openclip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.interop.safetensors.DType;
import io.sparkvlm.interop.safetensors.Safetensors;
import io.sparkvlm.interop.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights and configs that do not map are refused before anything is written, naming the tensor or field. */
class OpenClipImportErrorsTest {
  static final Path FIXTURE = Path.of("src/test/resources/openclip/quickgelu");
  static final Configuration CONF = new Configuration();
  @TempDir Path dir;

  static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  /** The fixture's tensors, changed by {@code edit}, in a new file. */
  Path weights(Consumer<List<Tensor>> edit) throws IOException {
    List<Tensor> tensors = new ArrayList<>();
    try (Safetensors.Reader in = Safetensors.open(hadoop(FIXTURE.resolve("weights.safetensors")), CONF)) {
      for (Safetensors.Entry e : in.entries()) {
        tensors.add(in.read(e.name()));
      }
    }
    edit.accept(tensors);
    Path out = Files.createTempFile(dir, "weights", ".safetensors");
    Files.delete(out);
    Safetensors.write(tensors, Map.of(), hadoop(out), false, CONF);
    return out;
  }

  Path config(Consumer<ObjectNode> edit) throws IOException {
    ObjectNode c = (ObjectNode) Json.MAPPER.readTree(FIXTURE.resolve("model-config.json").toFile());
    edit.accept(c);
    Path out = Files.createTempFile(dir, "config", ".json");
    Files.write(out, Json.MAPPER.writeValueAsBytes(c));
    return out;
  }

  void refused(Path weights, Path config, String... parts) {
    Path out = dir.resolve("checkpoint");
    assertThatThrownBy(() -> OpenClipImport.run(new OpenClipImport.Request(weights.toString(), config.toString(),
        out.toString(), Optional.empty(), false), CONF)).isInstanceOf(RuntimeException.class).message()
        .contains(parts);
    assertThat(out).doesNotExist();
  }

  @Test
  void missingUnexpectedAndMisShapedTensorsAreNamed() throws IOException {
    Path config = FIXTURE.resolve("model-config.json");
    refused(weights(t -> t.removeIf(x -> x.name().equals("visual.proj"))), config,
        "missing 1 tensor(s): visual.proj [32, 24]");
    refused(weights(t -> t.add(Tensor.ofFloats("visual.extra", DType.F32, new long[] {2}, new float[2]))), config,
        "unexpected 1 tensor(s): visual.extra [2]");
    Path original = FIXTURE.resolve("weights.safetensors");
    refused(original, config(c -> c.put("embed_dim", 16)), "Tensor visual.proj is [32, 24]",
        "the model config makes it [32, 16]");
    refused(original, config(c -> ((ObjectNode) c.get("text_cfg")).put("layers", 3)),
        "missing 12 tensor(s): transformer.resblocks.2.ln_1.weight [16]");
    refused(weights(t -> {
      t.removeIf(x -> x.name().equals("logit_scale"));
      t.add(new Tensor("logit_scale", DType.I32, new long[0], new byte[4]));
    }), config, "logit_scale", "I32, not a float type");
  }

  @Test
  void configFieldsSparkVlmDoesNotComputeAreNamed() throws IOException {
    Path w = FIXTURE.resolve("weights.safetensors");
    refused(w, config(c -> c.put("colour", "red")), "unknown field colour");
    refused(w, config(c -> ((ObjectNode) c.get("vision_cfg")).put("ls_init_value", 1e-5)),
        "vision_cfg.ls_init_value", "layer scale");
    refused(w, config(c -> ((ObjectNode) c.get("text_cfg")).put("vocab_size", 32000)), "text_cfg.vocab_size",
        "49408");
    refused(w, config(c -> ((ObjectNode) c.get("vision_cfg")).putArray("layers").add(3).add(4).add(6).add(3)),
        "vision_cfg.layers is a list", "ResNet");
    refused(w, config(c -> ((ObjectNode) c.get("vision_cfg")).put("mlp_ratio", 2.5)), "vision_cfg.mlp_ratio",
        "whole ratio");
    refused(w, config(c -> ((ObjectNode) c.get("text_cfg")).put("pool_type", "eos")), "text_cfg.pool_type",
        "argmax");
    refused(w, config(c -> ((ObjectNode) c.get("text_cfg")).put("hf_model_name", "bert-base")),
        "text_cfg.hf_model_name", "Hugging Face text tower");
    refused(w, config(c -> c.put("init_logit_bias", -10)), "init_logit_bias", "SigLIP");
    refused(w, config(c -> ((ObjectNode) c.get("vision_cfg")).put("head_width", 12)), "vision_cfg.head_width 12",
        "does not divide vision_cfg.width 32");
    refused(w, config(c -> c.remove("text_cfg")), "no text_cfg");
    // an open_clip_config.json whose preprocessing normalises with other statistics than spark-vlm does
    refused(w, config(c -> {
      ObjectNode whole = c.deepCopy();
      c.removeAll();
      c.set("model_cfg", whole);
      c.putObject("preprocess_cfg").putArray("mean").add(0.5).add(0.5).add(0.5);
    }), "preprocess_cfg.mean [0.5,0.5,0.5]", "OpenAI's");
  }

  /** {@code model_cfg} and {@code preprocess_cfg} as an {@code open_clip_config.json} holds them. */
  Path openClipConfig(Consumer<ObjectNode> preprocess) throws IOException {
    return config(c -> {
      ObjectNode whole = c.deepCopy();
      c.removeAll();
      c.set("model_cfg", whole);
      preprocess.accept(c.putObject("preprocess_cfg"));
    });
  }

  @Test
  void thePreprocessingOfAnOpenClipConfigIsImportedOrItsValuesNamed() throws IOException {
    Path w = FIXTURE.resolve("weights.safetensors");
    Path out = dir.resolve("longest");
    OpenClipImport.run(new OpenClipImport.Request(w.toString(), openClipConfig(p -> p.put("size", 32)
        .put("interpolation", "bilinear").put("resize_mode", "longest").put("fill_color", 128)).toString(),
        out.toString(), Optional.of("clip-longest"), false), CONF);
    io.sparkvlm.core.model.ClipShape shape = io.sparkvlm.core.model.ModelCheckpoints.load(out.toString(), CONF)
        .as(io.sparkvlm.core.model.ModelArchitecture.Clip.class, "test").shape();
    assertThat(shape.preprocess()).isEqualTo(new io.sparkvlm.core.model.ImagePreprocess(
        io.sparkvlm.core.model.ImagePreprocess.ResizeMode.LONGEST, io.sparkvlm.core.image.Resample.Filter.BILINEAR,
        128));
    // OpenCLIP reads "random" as bicubic outside training
    assertThat(OpenClipConfig.preprocess(Json.MAPPER.createObjectNode().put("interpolation", "random"), 16, "x")
        .interpolation()).isEqualTo(io.sparkvlm.core.image.Resample.Filter.BICUBIC);
    refused(w, openClipConfig(p -> p.put("resize_mode", "crop")), "preprocess_cfg.resize_mode",
        "unknown resize mode 'crop'");
    refused(w, openClipConfig(p -> p.put("interpolation", "nearest")), "preprocess_cfg.interpolation",
        "unknown interpolation 'nearest'");
    refused(w, openClipConfig(p -> p.put("size", 224)), "preprocess_cfg.size 224 is not the model's image size 32");
    refused(w, openClipConfig(p -> p.put("fill_color", -1)), "preprocess_cfg.fill_color -1");
    refused(w, openClipConfig(p -> p.put("mode", "L")), "preprocess_cfg.mode \"L\" is not RGB");
    // LLaVA's padding is spark-vlm's, not OpenCLIP's: neither read from nor written to an OpenCLIP config
    refused(w, openClipConfig(p -> p.put("resize_mode", "pad")), "unknown resize mode 'pad'",
        "OpenCLIP's are shortest, longest, squash");
    io.sparkvlm.core.model.ClipShape nano = io.sparkvlm.core.model.ClipShape.preset("nano");
    io.sparkvlm.core.model.ClipShape padded = new io.sparkvlm.core.model.ClipShape(nano.name(), nano.vision(),
        nano.text(), nano.imageSize(), nano.patchSize(), nano.contextLength(), nano.vocabSize(), nano.embedDim(),
        nano.imagePool(), nano.preprocess().withResize(io.sparkvlm.core.model.ImagePreprocess.ResizeMode.PAD));
    assertThatThrownBy(() -> OpenClipConfig.putPreprocess(Json.MAPPER.createObjectNode(), padded))
        .isInstanceOf(OpenClipError.class).hasMessageContaining("model.vision.resize = pad");
  }

  @Test
  void trainingOnlyFieldsAreAccepted() throws IOException {
    Path config = config(c -> {
      ((ObjectNode) c.get("vision_cfg")).put("patch_dropout", 0.5);
      ((ObjectNode) c.get("text_cfg")).put("final_ln_after_pool", true);
      c.put("init_logit_scale", 2.66);
    });
    Path out = dir.resolve("ok");
    OpenClipImport.run(new OpenClipImport.Request(FIXTURE.resolve("weights.safetensors").toString(),
        config.toString(), out.toString(), Optional.of("clip-ok"), false), CONF);
    assertThat(out.resolve("manifest.json")).exists();
  }

  @Test
  void aClipThatPoolsPatchMaximaDoesNotExport() {
    io.sparkvlm.core.model.ClipShape tiny = io.sparkvlm.core.model.ClipShape.preset("tiny-patch-max");
    assertThatThrownBy(() -> OpenClipConfig.modelConfig(tiny, java.util.OptionalInt.of(3)))
        .isInstanceOf(OpenClipError.class).hasMessageContaining("model.vision.pool = patch-max")
        .hasMessageContaining("pool_type tok or avg");
    assertThat(OpenClipConfig.modelConfig(io.sparkvlm.core.model.ClipShape.preset("nano"),
        java.util.OptionalInt.of(3)).path("vision_cfg").path("patch_size").asInt()).isEqualTo(8);
  }
}
