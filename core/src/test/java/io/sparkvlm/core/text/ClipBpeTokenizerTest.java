package io.sparkvlm.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against OpenCLIP's SimpleTokenizer on its own vocabulary file (golden ids: make_clip_tokenizer_goldens.py). */
class ClipBpeTokenizerTest {
  static ClipBpeTokenizer clip;
  static JsonNode golden;

  @BeforeAll
  static void load() throws Exception {
    clip = ClipBpeTokenizer.bundled();
    try (InputStream in = ClipBpeTokenizerTest.class.getResourceAsStream("/text/clip-expected.json")) {
      golden = Json.MAPPER.readTree(in);
    }
  }

  @Test
  void vocabularyAndSpecialIdsAreOpenClips() {
    assertThat(clip.vocabSize()).isEqualTo(golden.get("vocab_size").asInt()).isEqualTo(49408);
    assertThat(clip.startOfText()).isEqualTo(golden.get("sot").asInt());
    assertThat(clip.endOfText()).isEqualTo(golden.get("eot").asInt());
  }

  @Test
  void encodesAndDecodesExactlyAsOpenClip() {
    for (JsonNode c : golden.get("cases")) {
      String text = c.get("text").asText();
      int[] ids = new int[c.get("ids").size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = c.get("ids").get(i).asInt();
      }
      assertThat(clip.encode(text)).as(text).isEqualTo(ids);
      assertThat(clip.decode(ids)).as(text).isEqualTo(c.get("decoded").asText());
    }
  }

  @Test
  void tokenizePadsAndTruncatesLikeOpenClip() {
    int[] t = clip.tokenize("a photo of a dog.", 10);
    assertThat(t).containsExactly(49406, 320, 1125, 539, 320, 1929, 269, 49407, 0, 0);
    int[] cut = clip.tokenize("a photo of a dog.", 5);
    assertThat(cut).containsExactly(49406, 320, 1125, 539, 49407);
  }

  @Test
  void aFileThatIsNotAVocabularyIsRefused() {
    assertThatThrownBy(() -> ClipBpeTokenizer.load(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
        false)).hasMessageContaining("not a CLIP BPE vocabulary");
  }
}
