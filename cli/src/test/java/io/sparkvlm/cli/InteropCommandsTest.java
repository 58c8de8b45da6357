package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.interop.openclip.OpenClipExport;
import io.sparkvlm.interop.safetensors.DType;
import io.sparkvlm.interop.safetensors.Safetensors;
import io.sparkvlm.interop.safetensors.Tensor;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vlm import openclip} and {@code vlm export openclip} through the real command line, and a stage that
 * takes a CLIP checkpoint ({@code vlm eval model}) working from imported OpenCLIP weights. The exports are left in
 * target/openclip-export/, where run-tests' OpenCLIP check (scripts/interop/check_openclip_export.py) loads them
 * with OpenCLIP itself when a Python environment with open_clip is present.
 */
class InteropCommandsTest {
  /** The interop module's fixtures (scripts/fixtures/make_openclip_fixtures.py). */
  static final Path FIXTURES = Path.of("..", "interop", "src", "test", "resources", "openclip");
  static final Path EXPORTS = Path.of("target", "openclip-export");
  @TempDir Path dir;

  static VlmTest.Result vlm(String... args) {
    return VlmTest.vlm(args);
  }

  String importFixture(String fixture) {
    String out = dir.resolve(fixture).toString();
    VlmTest.Result r = vlm("import", "openclip", "--weights", FIXTURES.resolve(fixture).resolve("weights.safetensors")
        .toString(), "--model-config", FIXTURES.resolve(fixture).resolve("model-config.json").toString(), "--out", out,
        "--name", "clip-openclip-" + fixture);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("imported clip-openclip-" + fixture);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"quickgelu", "gelu"})
  void importsThenExportsForOpenClip(String fixture) throws Exception {
    String checkpoint = importFixture(fixture);
    Path export = EXPORTS.resolve(fixture).resolve("export");
    VlmTest.Result r = vlm("export", "openclip", "--checkpoint", checkpoint, "--out", export.toString(),
        "--overwrite");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(export.resolve(OpenClipExport.WEIGHTS)).exists();
    JsonNode config = Json.MAPPER.readTree(export.resolve(OpenClipExport.CONFIG).toFile());
    JsonNode original = Json.MAPPER.readTree(FIXTURES.resolve(fixture).resolve("model-config.json").toFile());
    assertThat(config.path("model_cfg").path("embed_dim")).isEqualTo(original.get("embed_dim"));
    assertThat(config.path("model_cfg").path("quick_gelu").asBoolean(false))
        .isEqualTo(original.path("quick_gelu").asBoolean(false));
    assertThat(config.path("model_cfg").path("text_cfg").has("pool_type")).isFalse();

    VlmTest.Result again = vlm("export", "openclip", "--checkpoint", checkpoint, "--out", export.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already exists", "--overwrite");
  }

  /**
   * A CLIP trained here (spark-vlm's BPE tokenizer) exports with its text tower pooled at that tokenizer's
   * end-of-text id; its own embeddings go beside the export for the OpenCLIP check.
   */
  @Test
  void exportsACheckpointWithSparkVlmsTokenizer() throws Exception {
    ClipShape shape = ClipShape.preset("nano");
    ComputationGraph model = ClipModel.build(shape, new org.nd4j.linalg.learning.config.NoOp(), DataType.FLOAT, 21);
    java.util.Map<String, Long> words = new java.util.HashMap<>();
    for (String t : List.of("a red circle", "two blue squares on grass", "the colour green")) {
      io.sparkvlm.core.text.ByteLevel.split(t).forEach(w -> words.merge(io.sparkvlm.core.text.ByteLevel.encode(w), 1L,
          Long::sum));
    }
    BpeTokenizer tokenizer = io.sparkvlm.core.text.BpeTrainer.train(words, 300, 1);
    String checkpoint = dir.resolve("nano").toString();
    ModelCheckpoints.save(model, Optional.of(tokenizer), checkpoint, new CheckpointManifest(shape.name(),
        Optional.of(new ModelArchitecture.Clip(shape).toJson()), 0, 21, Json.MAPPER.createObjectNode(), List.of(),
        List.of(), java.util.Map.of(), Versions.all(), java.time.Instant.now().toString()), false,
        new Configuration());
    Path export = EXPORTS.resolve("spark-vlm-nano").resolve("export");
    VlmTest.Result r = vlm("export", "openclip", "--checkpoint", checkpoint, "--out", export.toString(),
        "--overwrite");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode text = Json.MAPPER.readTree(export.resolve(OpenClipExport.CONFIG).toFile()).path("model_cfg")
        .path("text_cfg");
    assertThat(text.path("pool_type").asText()).isEqualTo("eos");
    assertThat(text.path("eos_id").asInt()).isEqualTo(tokenizer.endOfText());
    assertThat(export.resolve(ModelCheckpoints.TOKENIZER)).exists();

    // what spark-vlm computes, for check_openclip_export.py to compare OpenCLIP's load with
    java.util.Random random = new java.util.Random(4);
    int n = 3;
    float[] pixels = new float[n * 3 * shape.imageSize() * shape.imageSize()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    List<int[]> tokens = List.of(ClipInputs.tokens(tokenizer, "a red circle", shape.contextLength()),
        ClipInputs.tokens(tokenizer, "two blue squares", shape.contextLength()),
        ClipInputs.tokens(tokenizer, "green", shape.contextLength()));
    INDArray[] ids = ClipInputs.text(tokens, shape.contextLength());
    INDArray images = Nd4j.create(pixels, new long[] {n, 3, shape.imageSize(), shape.imageSize()}, 'c');
    model.setLayerMaskArrays(new INDArray[] {null, ids[1]}, null);
    java.util.Map<String, INDArray> acts = model.feedForward(new INDArray[] {images, ids[0]}, false);
    model.clearLayerMaskArrays();
    INDArray u = acts.get(ClipModel.IMAGE_EMBEDDING).dup();
    INDArray v = acts.get(ClipModel.TEXT_EMBEDDING).dup();
    INDArray logits = u.divColumnVector(u.norm2(1).reshape(-1, 1)).mmul(v.divColumnVector(v.norm2(1).reshape(-1, 1))
        .transpose()).muli(Math.exp(model.getLayer(ClipModel.LOSS).getParam(ClipLoss.LOGIT_SCALE).getDouble(0)));
    float[] padded = ids[0].data().asFloat();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(padded.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float id : padded) {
      b.putInt((int) id);
    }
    Path expected = EXPORTS.resolve("spark-vlm-nano").resolve("expected.safetensors");
    Files.deleteIfExists(expected);
    Safetensors.write(List.of(
        Tensor.ofFloats("images", DType.F32, images.shape(), pixels),
        new Tensor("tokens", DType.I32, new long[] {n, shape.contextLength()}, b.array()),
        Tensor.ofFloats("image_features", DType.F32, u.shape(), u.data().asFloat()),
        Tensor.ofFloats("text_features", DType.F32, v.shape(), v.data().asFloat()),
        Tensor.ofFloats("logits_per_image", DType.F32, logits.shape(), logits.data().asFloat())),
        java.util.Map.of(), new org.apache.hadoop.fs.Path(expected.toAbsolutePath().toUri()), true,
        new Configuration());
  }

  @Test
  void evalModelRunsOnImportedWeights() throws Exception {
    String checkpoint = importFixture("quickgelu");
    Path world = dir.resolve("world");
    VlmTest.Result synth = vlm("synth", "--out", world.toString(), "--scenes", "60", "--seed", "5", "--image-size",
        "32", "--conf", "spark.master=local[2]");
    assertThat(synth.code()).as(synth.err()).isZero();
    Path report = dir.resolve("report");
    VlmTest.Result eval = vlm("eval", "model", "--conf", "spark.master=local[2]", "--conf", "paths.synth=" + world,
        "--conf", "eval.model.checkpoint=" + checkpoint, "--conf", "eval.model.report=" + report, "--conf",
        "eval.model.max-images=60");
    assertThat(eval.code()).as(eval.err()).isZero();
    JsonNode metrics = Json.MAPPER.readTree(report.resolve("metrics.json").toFile());
    for (String key : List.of("retrieval/image_to_text_R@5", "zeroshot/colour/acc1", "zeroshot/shape/acc1")) {
      assertThat(metrics.has(key)).as(key + " in " + metrics).isTrue();
      assertThat(metrics.get(key).asDouble()).isBetween(0.0, 1.0);
    }
  }

  @Test
  void badInputExitsTwoNamingIt() {
    VlmTest.Result missing = vlm("import", "openclip", "--weights", dir.resolve("none.safetensors").toString(),
        "--model-config", FIXTURES.resolve("gelu").resolve("model-config.json").toString(), "--out",
        dir.resolve("out").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("none.safetensors");
    VlmTest.Result mismatched = vlm("import", "openclip", "--weights", FIXTURES.resolve("gelu")
        .resolve("weights.safetensors").toString(), "--model-config", FIXTURES.resolve("quickgelu")
        .resolve("model-config.json").toString(), "--out", dir.resolve("out").toString());
    assertThat(mismatched.code()).isEqualTo(2);
    assertThat(mismatched.err()).contains("missing 12 tensor(s): visual.transformer.resblocks.1.ln_1.weight [32]",
        "unexpected 12 tensor(s): transformer.resblocks.2.attn.in_proj_bias [48]");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
