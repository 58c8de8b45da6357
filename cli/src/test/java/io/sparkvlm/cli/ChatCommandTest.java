package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Fusion;
import io.sparkvlm.core.model.layers.GatedCrossAttention;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.core.text.ByteLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/** {@code vlm chat} on a nano vision-language checkpoint: one question, a conversation, and what it refuses. */
class ChatCommandTest {
  @TempDir static Path dir;
  static String checkpoint;
  static String notAVlm;
  static String flamingo;
  static Path image;

  @BeforeAll
  static void checkpoints() throws Exception {
    Map<String, Long> words = new HashMap<>();
    for (String w : ByteLevel.split("What color is the star? The star is blue. How many? Two.")) {
      words.merge(ByteLevel.encode(w), 5L, Long::sum);
    }
    BpeTokenizer tok = BpeTrainer.train(words, 300, 1);
    ClipShape nano = ClipShape.preset("nano");
    LanguageModel.Shape lm = LanguageModel.Shape.preset("lm-nano");
    LanguageModel.Shape roomy = new LanguageModel.Shape("lm-nano-64", lm.vocabSize(), 64, lm.tower());
    VisionLanguageModel.Shape shape = VisionLanguageModel.Shape.of("llava-nano", nano.visionTower(), roomy,
        new Connector.Linear());
    ComputationGraph vlm = VisionLanguageModel.build(shape, new Adam(1e-3), DataType.FLOAT, 5,
        VisionLanguageModel.Trainable.ALL);
    checkpoint = save(vlm, tok, new ModelArchitecture.VisionLanguage(shape), "vlm");
    // Flamingo's fusion: gated cross-attention blocks read the resampler's tokens; gates opened so the image counts
    VisionLanguageModel.Shape cross = new VisionLanguageModel.Shape("flamingo-nano", nano.visionTower(), roomy,
        new Connector.Resampler(4), VisionFeatures.PATCH, nano.visionTower().tower().layers(), new Fusion.CrossAttention(1));
    ComputationGraph xattn = VisionLanguageModel.build(cross, new Adam(1e-3), DataType.FLOAT, 5,
        VisionLanguageModel.Trainable.ALL);
    for (int i = 0; i < cross.crossAttentionBlocks(); i++) {
      xattn.getLayer(VisionLanguageModel.crossAttention(i)).paramTable().get(GatedCrossAttention.ATTN_GATE).assign(1);
    }
    flamingo = save(xattn, tok, new ModelArchitecture.VisionLanguage(cross), "flamingo");
    notAVlm = save(LanguageModel.build(roomy, new Adam(1e-3), DataType.FLOAT, 5), tok,
        new ModelArchitecture.Language(roomy), "lm");
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    img.setRGB(3, 4, 0x3366ff);
    image = dir.resolve("star.png");
    ImageIO.write(img, "png", image.toFile());
  }

  static String save(ComputationGraph g, BpeTokenizer tok, ModelArchitecture a, String name) throws Exception {
    String location = dir.resolve(name).resolve(Checkpoints.nameForStep(1)).toString();
    ModelCheckpoints.save(g, Optional.of(tok), location, new CheckpointManifest(a.name(), Optional.of(a.toJson()),
        1, 1, Json.MAPPER.createObjectNode(), List.of(), List.of(), Map.of(), Versions.all(),
        Instant.now().toString()), false, new Configuration());
    return location;
  }

  @Test
  void answersOneQuestionTheSameWayEachTime() {
    VlmTest.Result a = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", image.toString(),
        "--max-new-tokens", "5", "What color is the star?");
    assertThat(a.code()).as(a.err()).isZero();
    VlmTest.Result b = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", image.toString(),
        "--max-new-tokens", "5", "What color is the star?");
    assertThat(b.out()).isEqualTo(a.out());
    assertThat(a.out().lines().count()).isEqualTo(1);
  }

  @Test
  void answersThroughCrossAttentionFusion() {
    VlmTest.Result a = VlmTest.vlm("chat", "--checkpoint", flamingo, "--image", image.toString(),
        "--max-new-tokens", "5", "What color is the star?");
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(a.out().lines().count()).isEqualTo(1);
    VlmTest.Result b = VlmTest.vlm("chat", "--checkpoint", flamingo, "--image", image.toString(),
        "--max-new-tokens", "5", "What color is the star?");
    assertThat(b.out()).isEqualTo(a.out());
  }

  @Test
  void keepsAConversationUntilAnEmptyLine() {
    InputStream previous = System.in;
    System.setIn(new ByteArrayInputStream("How many?\nWhat color is the star?\n\nignored\n"
        .getBytes(StandardCharsets.UTF_8)));
    try {
      VlmTest.Result r = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", image.toString(),
          "--max-new-tokens", "4", "--interactive");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out().lines().filter(l -> l.startsWith("assistant:"))).hasSize(2);
    } finally {
      System.setIn(previous);
    }
  }

  @Test
  void refusesWhatItCannotAnswerWith() {
    VlmTest.Result lm = VlmTest.vlm("chat", "--checkpoint", notAVlm, "--image", image.toString(), "Hi?");
    assertThat(lm.code()).isEqualTo(2);
    assertThat(lm.err()).contains("--checkpoint").contains("lm-nano-64");
    VlmTest.Result noImage = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image",
        dir.resolve("missing.png").toString(), "Hi?");
    assertThat(noImage.code()).isEqualTo(2);
    assertThat(noImage.err()).contains("missing.png");
    Path notAnImage = dir.resolve("notes.jpg");
    try {
      java.nio.file.Files.writeString(notAnImage, "not an image");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    VlmTest.Result undecodable = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", notAnImage.toString(),
        "Hi?");
    assertThat(undecodable.code()).isEqualTo(2);
    assertThat(undecodable.err()).contains("--image " + notAnImage).contains("not a decodable image");
    InputStream previous = System.in;
    System.setIn(new ByteArrayInputStream("Hi?\n\n".getBytes(StandardCharsets.UTF_8)));
    try {
      VlmTest.Result interactive = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", notAnImage.toString(),
          "--interactive");
      assertThat(interactive.code()).isEqualTo(2);
      assertThat(interactive.out()).doesNotContain("starts again");
    } finally {
      System.setIn(previous);
    }
    VlmTest.Result noQuestion = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", image.toString());
    assertThat(noQuestion.code()).isEqualTo(2);
    VlmTest.Result blank = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", image.toString(), "  ");
    assertThat(blank.code()).isEqualTo(2);
    assertThat(blank.err()).contains("the question is blank");
    VlmTest.Result noTokens = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", image.toString(),
        "--max-new-tokens", "0", "Hi?");
    assertThat(noTokens.code()).isEqualTo(2);
    assertThat(noTokens.err()).contains("--max-new-tokens").contains("not 0");
    VlmTest.Result tooLong = VlmTest.vlm("chat", "--checkpoint", checkpoint, "--image", image.toString(),
        "What color is the star? ".repeat(20));
    assertThat(tooLong.code()).isEqualTo(2);
    assertThat(tooLong.err()).contains("positions for the answer");
  }
}
