package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.synth.Questions.QA;
import io.sparkvlm.synth.SyntheticWorld.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Instruction conversations in LLaVA's format, generated from scene graphs (the stand-in for GPT-written
 * instructions): {@code [{id, image, conversations: [{from: human, value: "<image>\n..."}, {from: gpt, value}]}]}.
 * Single- and multi-turn; counting, colour, shape, existence, spatial, OCR and detailed description.
 */
final class Instructions {
  static final String IMAGE_TOKEN = "<image>";
  static final String[] DESCRIBE = {"Describe the image in detail.", "What is in this picture?",
      "Give a detailed description of the image.", "Explain what you see in the image."};

  private Instructions() {}

  static void write(Path file, List<Sample> samples, long seed) throws IOException {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    for (Sample s : samples) {
      all.add(conversation(s.scene(), SyntheticWorld.random(seed, s.scene().imageId(), 4)));
    }
    SyntheticWorld.write(file, Json.MAPPER.writeValueAsBytes(all));
  }

  static ObjectNode conversation(Scene scene, SplittableRandom r) {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.put("id", scene.id());
    c.put("image", scene.imagePath());
    ArrayNode turns = c.putArray("conversations");
    List<QA> questions = Questions.about(scene, r);
    int n = 1 + r.nextInt(3);
    boolean describe = r.nextDouble() < 0.3;
    boolean first = true;
    if (describe) {
      turn(turns, "human", IMAGE_TOKEN + "\n" + Captioner.pick(DESCRIBE, r));
      turn(turns, "gpt", Captioner.detailed(scene));
      first = false;
      n--;
    }
    for (int i = 0; i < Math.min(n, questions.size()); i++) {
      QA qa = questions.get(i);
      turn(turns, "human", first ? IMAGE_TOKEN + "\n" + qa.question() : qa.question());
      turn(turns, "gpt", qa.sentence());
      first = false;
    }
    if (first) { // no question fitted: describe instead
      turn(turns, "human", IMAGE_TOKEN + "\n" + DESCRIBE[0]);
      turn(turns, "gpt", Captioner.detailed(scene));
    }
    return c;
  }

  private static void turn(ArrayNode turns, String from, String value) {
    turns.addObject().put("from", from).put("value", value);
  }
}
