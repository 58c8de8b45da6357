package io.sparkvlm.instruct;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.ChatTemplate;
import io.sparkvlm.core.text.ChatTemplate.Role;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Stage 2's training samples, read on the driver: LLaVA-format conversations ({@code [{"id", "image",
 * "conversations": [{"from": "human"|"gpt"|"system", "value"}]}]}) and, mixed in, short-answer VQA (VQA v2
 * questions and annotations, a COCO-format file naming the images), each encoded by {@link ChatTemplate}. A sample
 * that cannot be encoded is counted by reason ({@link Counts}), never dropped silently.
 */
final class InstructData {
  /** LLaVA's speaker names. */
  static final Map<String, Role> ROLES = Map.of("human", Role.USER, "gpt", Role.ASSISTANT, "system", Role.SYSTEM);

  private InstructData() {}

  /** An encoded sample: its key, its image's path, tokens and which are learned. */
  record Sample(String key, String image, int[] tokens, boolean[] learn) implements Serializable {}

  /** Samples read, used, and not used by reason; exchanges cut by the context. */
  record Counts(Map<String, Long> read, long used, Map<ChatTemplate.Mismatch, Long> mismatched, long exchangesCut,
      long samplesCut) {
    Map<String, Object> toJson() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("read", read);
      out.put("used", used);
      Map<String, Long> m = new LinkedHashMap<>();
      mismatched.forEach((k, v) -> m.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
      out.put("mismatched", m);
      out.put("samples_cut_by_context", samplesCut);
      out.put("exchanges_cut_by_context", exchangesCut);
      return out;
    }
  }

  record Read(List<Sample> samples, Counts counts) {}

  static Read read(InstructConfig c, BpeTokenizer tokenizer, int contextLength, Configuration conf)
      throws IOException {
    List<Sample> samples = new ArrayList<>();
    Map<String, Long> read = new LinkedHashMap<>();
    Map<ChatTemplate.Mismatch, Long> mismatched = new EnumMap<>(ChatTemplate.Mismatch.class);
    long[] cut = new long[2];
    if (c.conversations().isPresent()) {
      Path file = new Path(c.root(), c.conversations().get());
      JsonNode all = json(file, conf);
      if (!all.isArray()) {
        throw new DatasetError(file + " is not a LLaVA conversation file: a JSON array of {id, image, conversations}");
      }
      long n = 0;
      for (JsonNode item : all) {
        n++;
        String where = file + " item " + n;
        for (String f : List.of("id", "image", "conversations")) {
          if (!item.has(f)) {
            throw new DatasetError(where + " has no '" + f + "'");
          }
        }
        List<ChatTemplate.Turn> turns = new ArrayList<>();
        for (JsonNode t : item.get("conversations")) {
          Role role = ROLES.get(t.path("from").asText());
          if (role == null) {
            throw new DatasetError(where + ": a turn from '" + t.path("from").asText() + "': one of "
                + ROLES.keySet());
          }
          turns.add(new ChatTemplate.Turn(role, t.path("value").asText()));
        }
        add(samples, mismatched, cut, "conversation-" + item.get("id").asText(), item.get("image").asText(),
            ChatTemplate.conversation(tokenizer, turns, contextLength));
      }
      read.put("conversations", n);
    }
    if (c.vqa().isPresent()) {
      InstructConfig.Vqa v = c.vqa().get();
      Map<Long, String> images = new HashMap<>();
      for (JsonNode im : json(new Path(c.root(), v.images()), conf).path("images")) {
        images.put(im.get("id").asLong(), im.get("file_name").asText());
      }
      Map<Long, String> answers = new HashMap<>();
      for (JsonNode a : json(new Path(c.root(), v.annotations()), conf).path("annotations")) {
        answers.put(a.get("question_id").asLong(), a.get("multiple_choice_answer").asText());
      }
      long n = 0;
      Path questions = new Path(c.root(), v.questions());
      for (JsonNode q : json(questions, conf).path("questions")) {
        n++;
        long id = q.get("question_id").asLong();
        String image = images.get(q.get("image_id").asLong());
        String answer = answers.get(id);
        if (image == null || answer == null) {
          throw new DatasetError(questions + ": question " + id + " has no " + (image == null ? "image in "
              + v.images() : "annotation in " + v.annotations()));
        }
        String question = v.instruction().isEmpty() ? q.get("question").asText()
            : q.get("question").asText() + "\n" + v.instruction();
        add(samples, mismatched, cut, "vqa-" + id, image, ChatTemplate.conversation(tokenizer,
            List.of(new ChatTemplate.Turn(Role.USER, question), new ChatTemplate.Turn(Role.ASSISTANT, answer)),
            contextLength));
      }
      read.put("vqa", n);
    }
    if (samples.isEmpty()) {
      throw new DatasetError("No instruct sample to train on under " + c.root() + " (instruct.conversations, "
          + "instruct.vqa.*): read " + read + ", not usable " + mismatched);
    }
    return new Read(samples, new Counts(read, samples.size(), mismatched, cut[1], cut[0]));
  }

  private static void add(List<Sample> samples, Map<ChatTemplate.Mismatch, Long> mismatched, long[] cut, String key,
      String image, ChatTemplate.Encoded e) {
    if (e.mismatch().isPresent()) {
      mismatched.merge(e.mismatch().get(), 1L, Long::sum);
      return;
    }
    if (e.exchangesCut() > 0) {
      cut[0]++;
      cut[1] += e.exchangesCut();
    }
    ChatTemplate.Exchange x = e.sample().get();
    samples.add(new Sample(key, image, x.tokens(), x.learn()));
  }

  private static JsonNode json(Path file, Configuration conf) {
    try {
      return Json.MAPPER.readTree(HadoopFiles.readAll(file, conf));
    } catch (IOException e) {
      throw new DatasetError("cannot read " + file + ": " + e.getMessage());
    }
  }
}
