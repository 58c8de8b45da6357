package io.sparkvlm.instruct;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.CocoCaptions;
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
 * questions and annotations, a COCO-format file naming the images) and brief captions (a COCO captions file, each
 * caption the answer to the caption prompt), each encoded by {@link ChatTemplate}. A sample
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
    Samples samples = new Samples();
    Map<String, Long> read = new LinkedHashMap<>();
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
        samples.add("conversation-" + item.get("id").asText(), item.get("image").asText(),
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
        String question = ChatTemplate.shortAnswerQuestion(q.get("question").asText(), v.instruction());
        samples.add("vqa-" + id, image, ChatTemplate.conversation(tokenizer,
            List.of(new ChatTemplate.Turn(Role.USER, question), new ChatTemplate.Turn(Role.ASSISTANT, answer)),
            contextLength));
      }
      read.put("vqa", n);
    }
    if (c.captions().isPresent()) {
      InstructConfig.Captions cap = c.captions().get();
      Map<Long, Integer> taken = new HashMap<>();
      long n = 0;
      for (CocoCaptions.Caption a : CocoCaptions.captions(new Path(c.root(), cap.file()), conf)) {
        if (taken.merge(a.imageId(), 1, Integer::sum) > cap.perImage()) {
          continue;
        }
        n++;
        samples.add("caption-" + a.annotationId(), a.fileName(), ChatTemplate.conversation(tokenizer,
            List.of(new ChatTemplate.Turn(Role.USER, cap.prompt()), new ChatTemplate.Turn(Role.ASSISTANT,
                a.text())), contextLength));
      }
      read.put("captions", n);
    }
    if (samples.used.isEmpty()) {
      throw new DatasetError("No instruct sample to train on under " + c.root() + " (instruct.conversations, "
          + "instruct.vqa.*, instruct.captions.*): read " + read + ", not usable " + samples.mismatched);
    }
    return new Read(samples.used, new Counts(read, samples.used.size(), samples.mismatched, samples.exchangesCut,
        samples.samplesCut));
  }

  /** The samples being read: those used, and the counts of those that were not or were cut. */
  private static final class Samples {
    final List<Sample> used = new ArrayList<>();
    final Map<ChatTemplate.Mismatch, Long> mismatched = new EnumMap<>(ChatTemplate.Mismatch.class);
    long samplesCut;
    long exchangesCut;

    void add(String key, String image, ChatTemplate.Encoded e) {
      if (e.mismatch().isPresent()) {
        mismatched.merge(e.mismatch().get(), 1L, Long::sum);
        return;
      }
      if (e.exchangesCut() > 0) {
        samplesCut++;
        exchangesCut += e.exchangesCut();
      }
      ChatTemplate.Exchange x = e.sample().get();
      used.add(new Sample(key, image, x.tokens(), x.learn()));
    }
  }

  private static JsonNode json(Path file, Configuration conf) {
    try {
      return Json.MAPPER.readTree(HadoopFiles.readAll(file, conf));
    } catch (IOException e) {
      throw new DatasetError("cannot read " + file + ": " + e.getMessage());
    }
  }
}
