package io.sparkvlm.instruct;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfiguredFiles;
import io.sparkvlm.core.dataset.CocoCaptions;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.JsonFiles;
import io.sparkvlm.core.dataset.LlavaConversations;
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

  /** Every file the config names exists: a missing one is an error naming its key, before any work. */
  static void requireFiles(InstructConfig c, Configuration conf) throws IOException {
    String p = InstructConfig.SECTION + ".";
    if (c.conversations().isPresent()) {
      ConfiguredFiles.requireAll(p + "conversations", List.of(new Path(c.root(), c.conversations().get())), conf);
    }
    if (c.vqa().isPresent()) {
      InstructConfig.Vqa v = c.vqa().get();
      ConfiguredFiles.requireAll(p + "vqa", List.of(new Path(c.root(), v.questions()),
          new Path(c.root(), v.annotations()), new Path(c.root(), v.images())), conf);
    }
    if (c.captions().isPresent()) {
      ConfiguredFiles.requireAll(p + "captions.file", List.of(new Path(c.root(), c.captions().get().file())), conf);
    }
  }

  static Read read(InstructConfig c, BpeTokenizer tokenizer, int contextLength, Configuration conf)
      throws IOException {
    Samples samples = new Samples();
    Map<String, Long> read = new LinkedHashMap<>();
    if (c.conversations().isPresent()) {
      long n = 0;
      Path file = new Path(c.root(), c.conversations().get());
      for (LlavaConversations.Item item : LlavaConversations.read(file, conf)) {
        n++;
        if (item.image() == null) {
          throw new DatasetError(file + " item " + n + " (id " + item.id() + ") has no '" + LlavaConversations.IMAGE
              + "': stage 2 trains on image conversations");
        }
        samples.add("conversation-" + item.id(), item.image(),
            ChatTemplate.conversation(tokenizer, item.turns(), contextLength));
      }
      read.put("conversations", n);
    }
    if (c.vqa().isPresent()) {
      InstructConfig.Vqa v = c.vqa().get();
      Map<Long, String> images = new HashMap<>();
      Path imagesFile = new Path(c.root(), v.images());
      for (JsonNode im : array(JsonFiles.read(imagesFile, conf, "the VQA images file"), "images", imagesFile)) {
        images.put(required(im, "id", imagesFile).asLong(), required(im, "file_name", imagesFile).asText());
      }
      Map<Long, String> answers = new HashMap<>();
      Path annotations = new Path(c.root(), v.annotations());
      JsonNode annotationsRoot = JsonFiles.read(annotations, conf, "the VQA annotations file");
      for (JsonNode a : array(annotationsRoot, "annotations", annotations)) {
        answers.put(required(a, "question_id", annotations).asLong(),
            required(a, "multiple_choice_answer", annotations).asText());
      }
      long n = 0;
      Path questions = new Path(c.root(), v.questions());
      for (JsonNode q : array(JsonFiles.read(questions, conf, "the VQA questions file"), "questions", questions)) {
        n++;
        long id = required(q, "question_id", questions).asLong();
        String image = images.get(required(q, "image_id", questions).asLong());
        String answer = answers.get(id);
        if (image == null || answer == null) {
          throw new DatasetError(questions + ": question " + id + " has no " + (image == null ? "image in "
              + v.images() : "annotation in " + v.annotations()));
        }
        String question = ChatTemplate.shortAnswerQuestion(required(q, "question", questions).asText(),
            v.instruction());
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

  /** The array {@code field} of a VQA or COCO file's root; absent, the file is not the kind it was given as. */
  private static JsonNode array(JsonNode root, String field, Path file) {
    if (root == null || !root.path(field).isArray()) {
      throw new DatasetError(file + " has no '" + field + "' array");
    }
    return root.get(field);
  }

  /** An entry's field, which must be there and be a number or a text. */
  private static JsonNode required(JsonNode entry, String field, Path file) {
    JsonNode v = entry.path(field);
    if (!v.isValueNode() || v.isNull()) {
      throw new DatasetError(file + ": an entry has no '" + field + "' (" + entry.toString()
          .substring(0, Math.min(120, entry.toString().length())) + ")");
    }
    return v;
  }
}
