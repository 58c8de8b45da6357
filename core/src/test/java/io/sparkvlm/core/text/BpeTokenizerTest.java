package io.sparkvlm.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.testing.SparkTestSessions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BpeTokenizerTest {
  static BpeTokenizer hf;
  static JsonNode expected;

  static String resource(String name) throws Exception {
    try (InputStream in = BpeTokenizerTest.class.getResourceAsStream("/text/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @BeforeAll
  static void load() throws Exception {
    hf = BpeTokenizer.fromJson(resource("hf-bytelevel-tokenizer.json"));
    expected = Json.MAPPER.readTree(resource("hf-bytelevel-expected.json"));
  }

  /** Sentences like the synthetic world's captions, for training. */
  static List<String> corpus(int n, long seed) {
    String[] colours = {"red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink"};
    String[] shapes = {"circle", "square", "triangle", "star", "hexagon", "diamond", "cross"};
    String[] counts = {"a", "two", "three", "four"};
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(4);
      String shape = shapes[r.nextInt(shapes.length)];
      out.add(counts[c] + " " + colours[r.nextInt(colours.length)] + " " + (c == 0 ? shape : shape + "s")
          + (r.nextBoolean() ? " on a gray background" : " to the left of a " + shapes[r.nextInt(shapes.length)]));
    }
    return out;
  }

  @Test
  void encodesExactlyAsHuggingFaceTokenizersDoes() throws Exception {
    int checked = 0;
    for (JsonNode e : expected) {
      String text = e.get("text").asText();
      int[] ids = new int[e.get("ids").size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = e.get("ids").get(i).asInt();
      }
      assertThat(hf.encode(text)).as(text).isEqualTo(ids);
      assertThat(hf.decode(ids)).isEqualTo(e.get("decoded").asText());
      checked++;
    }
    assertThat(checked).isEqualTo(12);
    // our tokenizer.json is read back to the same tokenizer
    BpeTokenizer again = BpeTokenizer.fromJson(hf.toJson());
    for (JsonNode e : expected) {
      assertThat(again.encode(e.get("text").asText())).isEqualTo(hf.encode(e.get("text").asText()));
    }
  }

  static String randomText(SplittableRandom r) {
    int[][] ranges = {{0x20, 0x7E}, {0xA0, 0x24F}, {0x4E00, 0x4FFF}, {0x1F600, 0x1F64F}, {0x300, 0x36F},
        {0x400, 0x4FF}};
    String[] specials = SpecialTokens.ALL.toArray(String[]::new);
    StringBuilder s = new StringBuilder();
    int n = r.nextInt(0, 40);
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      if (u < 0.05) {
        s.append(specials[r.nextInt(specials.length)]);
      } else if (u < 0.15) {
        s.append(" \t\n\r".charAt(r.nextInt(4)));
      } else {
        int[] range = ranges[r.nextInt(ranges.length)];
        s.appendCodePoint(r.nextInt(range[0], range[1] + 1));
      }
    }
    return s.toString();
  }

  @Test
  void anyStringRoundTrips() {
    BpeTokenizer trained = BpeTrainer.train(new java.util.HashMap<>(java.util.Map.of(ByteLevel.encode(" circle"), 10L,
        ByteLevel.encode("caf\u00e9"), 3L)), 280, 1);
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < 3000; i++) {
      String s = randomText(r);
      assertThat(hf.decode(hf.encode(s))).as(s).isEqualTo(s);
      assertThat(trained.decode(trained.encode(s))).as(s).isEqualTo(s);
    }
  }

  @Test
  void trainsWithSparkDeterministicallyAndLearnsTheCorpusWords() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSessions.local().sparkContext());
    List<String> texts = corpus(3000, 1);
    BpeTokenizer a = BpeTrainer.train(jsc.parallelize(texts, 4), 400, 2);
    BpeTokenizer b = BpeTrainer.train(jsc.parallelize(texts, 3), 400, 2);
    assertThat(a.merges()).isEqualTo(b.merges()).isNotEmpty();
    assertThat(a.vocabSize()).isLessThanOrEqualTo(400);
    for (int i = 0; i < SpecialTokens.ALL.size(); i++) {
      assertThat(a.id(SpecialTokens.ALL.get(i))).isEqualTo(i);
    }
    assertThat(a.encode(" circle")).hasSize(1);
    assertThat(a.encode("two purple hexagons on a gray background").length).isLessThanOrEqualTo(8);
    int[] withImage = a.encode("<image>\nwhat is it?");
    assertThat(withImage[0]).isEqualTo(3);
    assertThat(a.decode(withImage, true)).isEqualTo("\nwhat is it?");
    // words never seen still encode, byte by byte at worst
    assertThat(a.decode(a.encode("zebra \u00fc"))).isEqualTo("zebra \u00fc");
  }

  @Test
  void badInputIsAClearError() {
    assertThatThrownBy(() -> hf.decode(new int[] {hf.vocabSize()})).hasMessageContaining("outside 0..");
    assertThatThrownBy(() -> BpeTokenizer.fromJson("{\"model\":{\"type\":\"WordPiece\"}}"))
        .hasMessageContaining("not a BPE tokenizer.json");
    assertThatThrownBy(() -> BpeTrainer.train(java.util.Map.of(), 100, 1)).hasMessageContaining("smaller than");
  }
}
