package io.sparkvlm.interop.openclip;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.model.layers.kernels.Gelu;
import io.sparkvlm.core.text.ClipBpeTokenizer;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.interop.safetensors.DType;
import io.sparkvlm.interop.safetensors.Safetensors;
import io.sparkvlm.interop.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Imported OpenCLIP weights reproduce what OpenCLIP computes (fixtures: scripts/fixtures/make_openclip_fixtures.py,
 * one model with QuickGELU and F32 weights, one with exact GELU and BF16 weights), and export then import is exact.
 */
class OpenClipParityTest {
  static final Path FIXTURES = Path.of("src/test/resources/openclip");
  static final Configuration CONF = new Configuration();
  static final double RELATIVE = 1e-4;
  @TempDir Path dir;

  /** What OpenCLIP computed, and from what. */
  record Expected(Tensor images, List<int[]> tokens, Tensor imageFeatures, Tensor textFeatures, Tensor logits,
      List<String> texts) {
    static Expected of(String fixture) throws IOException {
      Path f = FIXTURES.resolve(fixture);
      try (Safetensors.Reader in = Safetensors.open(hadoop(f.resolve("expected.safetensors")), CONF)) {
        Tensor tokens = in.read("tokens");
        int rows = (int) tokens.shape()[0];
        int context = (int) tokens.shape()[1];
        long[] ids = tokens.ints();
        List<int[]> trimmed = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          int end = 0;                                             // the end-of-text token: the highest id
          for (int j = 0; j < context; j++) {
            if (ids[r * context + j] > ids[r * context + end]) {
              end = j;
            }
          }
          int[] row = new int[end + 1];
          for (int j = 0; j <= end; j++) {
            row[j] = (int) ids[r * context + j];
          }
          trimmed.add(row);
        }
        List<String> texts = Arrays.asList(Json.MAPPER.readValue(f.resolve("texts.json").toFile(), String[].class));
        return new Expected(in.read("images"), trimmed, in.read("image_features"), in.read("text_features"),
            in.read("logits_per_image"), texts);
      }
    }
  }

  static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  String importFixture(String fixture, String name) throws IOException {
    Path f = FIXTURES.resolve(fixture);
    String out = dir.resolve(name).toString();
    OpenClipImport.run(new OpenClipImport.Request(f.resolve("weights.safetensors").toString(),
        f.resolve("model-config.json").toString(), out, Optional.empty(), false), CONF);
    return out;
  }

  /** Unnormalised image and text embeddings of the fixture's inputs. */
  static INDArray[] embeddings(ComputationGraph g, ClipShape s, Expected e) {
    int images = (int) e.images().shape()[0];
    INDArray pixels = Nd4j.create(e.images().floats(), e.images().shape(), 'c').castTo(DataType.FLOAT);
    INDArray[] text = ClipInputs.text(e.tokens(), s.contextLength());
    int texts = e.tokens().size();
    // the graph runs both towers on one batch: pad the shorter input with copies of its first row
    int b = Math.max(images, texts);
    INDArray img = Nd4j.zeros(DataType.FLOAT, b, 3, s.imageSize(), s.imageSize());
    for (int i = 0; i < b; i++) {
      img.putSlice(i, pixels.slice(Math.min(i, images - 1)));
    }
    List<int[]> tokens = new ArrayList<>(e.tokens());
    while (tokens.size() < b) {
      tokens.add(e.tokens().get(0));
    }
    text = ClipInputs.text(tokens, s.contextLength());
    g.setLayerMaskArrays(new INDArray[] {null, text[1]}, null);
    try {
      Map<String, INDArray> acts = g.feedForward(new INDArray[] {img, text[0]}, false);
      return new INDArray[] {acts.get(ClipModel.IMAGE_EMBEDDING).get(org.nd4j.linalg.indexing.NDArrayIndex
          .interval(0, images)).castTo(DataType.DOUBLE), acts.get(ClipModel.TEXT_EMBEDDING)
          .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, texts)).castTo(DataType.DOUBLE)};
    } finally {
      g.clearLayerMaskArrays();
    }
  }

  static void close(INDArray ours, Tensor theirs, String what) {
    INDArray expected = Nd4j.create(theirs.floats(), theirs.shape(), 'c').castTo(DataType.DOUBLE);
    assertThat(ours.shape()).as(what).containsExactly(theirs.shape());
    double scale = expected.amaxNumber().doubleValue();
    double error = ours.sub(expected).amaxNumber().doubleValue();
    assertThat(error / scale).as(what + ": largest difference %.3g of largest value %.3g", error, scale)
        .isLessThan(RELATIVE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"quickgelu", "gelu"})
  void importedModelComputesWhatOpenClipComputes(String fixture) throws IOException {
    Expected e = Expected.of(fixture);
    String checkpoint = importFixture(fixture, "imported");
    ModelCheckpoints.Loaded loaded = ModelCheckpoints.load(checkpoint, CONF);
    ClipShape shape = loaded.as(ModelArchitecture.Clip.class, "test").shape();
    assertThat(shape.vision().gelu()).isEqualTo(fixture.equals("gelu") ? Gelu.EXACT : Gelu.QUICK);
    assertThat(shape.name()).isEqualTo("clip-model-config");
    // a bare model config: OpenCLIP's own preprocessing defaults (bicubic, shortest side, centre crop)
    assertThat(shape.preprocess()).isEqualTo(io.sparkvlm.core.model.ImagePreprocess.OPENCLIP);
    assertThat(loaded.manifest().config().path("import").path("openclip").path("weights_sha256").asText())
        .hasSize(64);

    // the checkpoint's tokenizer is OpenCLIP's: the same ids as open_clip.tokenize
    Tokenizer tokenizer = loaded.requireTokenizer();
    assertThat(tokenizer).isInstanceOf(ClipBpeTokenizer.class);
    for (int i = 0; i < e.texts().size(); i++) {
      assertThat(ClipInputs.tokens(tokenizer, e.texts().get(i), shape.contextLength())).as(e.texts().get(i))
          .containsExactly(e.tokens().get(i));
    }

    ComputationGraph g = loaded.model();
    INDArray[] emb = embeddings(g, shape, e);
    close(emb[0], e.imageFeatures(), fixture + " image embeddings");
    close(emb[1], e.textFeatures(), fixture + " text embeddings");
    INDArray u = emb[0].divColumnVector(emb[0].norm2(1).reshape(-1, 1));
    INDArray v = emb[1].divColumnVector(emb[1].norm2(1).reshape(-1, 1));
    double scale = Math.exp(g.getLayer(ClipModel.LOSS).getParam(ClipLoss.LOGIT_SCALE).getDouble(0));
    close(u.mmul(v.transpose()).muli(scale), e.logits(), fixture + " logits");
  }

  @ParameterizedTest
  @ValueSource(strings = {"quickgelu", "gelu"})
  void exportThenImportIsExact(String fixture) throws IOException {
    String first = importFixture(fixture, "first");
    DType stored = fixture.equals("gelu") ? DType.BF16 : DType.F32;
    String exported = dir.resolve("exported").toString();
    OpenClipExport.run(new OpenClipExport.Request(first, exported, stored, false), CONF);
    // the exported tensors are the original file's, bit for bit, in its dtype
    try (Safetensors.Reader original = Safetensors.open(hadoop(FIXTURES.resolve(fixture).resolve(
        "weights.safetensors")), CONF);
        Safetensors.Reader written = Safetensors.open(hadoop(Path.of(exported, OpenClipExport.WEIGHTS)), CONF)) {
      assertThat(written.entries().stream().map(Safetensors.Entry::name).sorted().toList())
          .isEqualTo(original.entries().stream().map(Safetensors.Entry::name).sorted().toList());
      for (Safetensors.Entry entry : original.entries()) {
        assertThat(written.read(entry.name())).as(entry.name()).isEqualTo(original.read(entry.name()));
      }
    }
    String second = dir.resolve("second").toString();
    OpenClipImport.run(new OpenClipImport.Request(Path.of(exported, OpenClipExport.WEIGHTS).toString(),
        Path.of(exported, OpenClipExport.CONFIG).toString(), second, Optional.of("clip-model-config"), false), CONF);
    ComputationGraph a = ModelCheckpoints.load(first, CONF).model();
    ComputationGraph b = ModelCheckpoints.load(second, CONF).model();
    assertThat(b.params().equals(a.params())).isTrue();
    assertThat(ModelCheckpoints.load(second, CONF).architecture())
        .isEqualTo(ModelCheckpoints.load(first, CONF).architecture());
    Expected e = Expected.of(fixture);
    ClipShape shape = ModelCheckpoints.load(first, CONF).as(ModelArchitecture.Clip.class, "test").shape();
    INDArray[] x = embeddings(a, shape, e);
    INDArray[] y = embeddings(b, shape, e);
    assertThat(y[0]).isEqualTo(x[0]);
    assertThat(y[1]).isEqualTo(x[1]);
  }
}
