package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.core.text.ByteLevel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code vlm eval model --checkpoint C --suite WORLD} on a vision-language checkpoint (an untrained nano VLM: what
 * it says does not matter here) and the synthetic world's suite (its captions and VQA, found through its
 * suite.json): the report renders in headless Chromium with its charts, galleries of the generated text and
 * unbroken images.
 */
class EvalVisionLanguageReportTest {
  @Test
  void theVisionLanguageReportRendersInABrowser(@TempDir Path dir) throws Exception {
    Path world = dir.resolve("world");
    assertThat(VlmTest.vlm("synth", "--out", world.toString(), "--scenes", "200", "--conf", "spark.master=local[1]")
        .code()).isZero();
    Map<String, Long> words = new HashMap<>();
    JsonNode captions = Json.MAPPER.readTree(world.resolve("eval/captions/captions_test.json").toFile());
    JsonNode questions = Json.MAPPER.readTree(world.resolve("eval/vqa/questions_test.json").toFile());
    StringBuilder text = new StringBuilder("Describe the image briefly. Answer the question using a single word.");
    captions.get("annotations").forEach(a -> text.append(' ').append(a.get("caption").asText()));
    questions.get("questions").forEach(q -> text.append(' ').append(q.get("question").asText()));
    ByteLevel.split(text.toString()).forEach(w -> words.merge(ByteLevel.encode(w), 1L, Long::sum));
    ClipShape nano = ClipShape.preset("nano");
    ClipShape shape = new ClipShape("clip-nano-ctx48", nano.vision(), nano.text(), nano.imageSize(),
        nano.patchSize(), 48, nano.vocabSize(), nano.embedDim());
    BpeTokenizer tokenizer = BpeTrainer.train(words, shape.vocabSize(), 1);
    VisionLanguageModel.Shape vlm = VisionLanguageModel.Shape.of(shape, new Connector.Linear());
    String checkpoint = dir.resolve("vlm").toString();
    ModelCheckpoints.save(VisionLanguageModel.build(vlm, Optimiser.adam(1e-3), DataType.FLOAT, 3,
        VisionLanguageModel.Trainable.INSTRUCT), Optional.of(tokenizer), checkpoint, new CheckpointManifest(
        vlm.name(), Optional.of(new ModelArchitecture.VisionLanguage(vlm).toJson()), 0, 3,
        Json.MAPPER.createObjectNode(), List.of(), List.of(), Map.of(), Versions.all(),
        Instant.now().toString()), false, new Configuration());

    Path report = dir.resolve("report");
    // the world's suite.json names its captions and VQA files
    VlmTest.Result r = VlmTest.vlm("eval", "model", "--checkpoint", checkpoint, "--suite", world.toString(),
        "--conf", "spark.master=local[2]", "--conf", "eval.model.report=" + report, "--conf",
        "eval.model.max-images=10", "--conf", "eval.model.generation.max-new-tokens=6");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode metrics = Json.MAPPER.readTree(report.resolve("metrics.json").toFile());
    assertThat(metrics.get("captioning/captions_test/images").asInt()).isEqualTo(10);
    assertThat(metrics.get("vqa/questions_test/questions").asInt()).isEqualTo(10);
    String dom = HeadlessChromium.dumpDom(report.resolve("report.html"), dir.resolve("chromium-profile"));
    // three charts: captioning scores, VQA per answer type, per question type
    assertThat(dom).contains("data-charts-rendered=\"3\"").contains("data-broken-images=\"0\"")
        .contains("Best by CIDEr-D").contains("Answered worst").contains("generated: ").contains("<img")
        .contains(String.format("%.3f", metrics.get("captioning/captions_test/CIDEr").asDouble()));
  }
}
