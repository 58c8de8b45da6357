package io.sparkvlm.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;

/**
 * What a text tower needs of a tokenizer: ids for a text (without start and end), the start- and end-of-text ids,
 * the vocabulary size, and a {@code tokenizer.json} form that a checkpoint stores. Two kinds:
 * <ul>
 *   <li>{@link BpeTokenizer}: spark-vlm's byte-level BPE, trained on the data, with the special tokens of
 *       {@link SpecialTokens} (what the language model and the chat template need);
 *   <li>{@link ClipBpeTokenizer}: OpenCLIP's tokenizer, for CLIPs imported from OpenCLIP; its {@code tokenizer.json}
 *       names the vocabulary bundled with core rather than copying it.
 * </ul>
 */
public interface Tokenizer extends Serializable {
  int vocabSize();

  /** The ids of {@code text}, without the start and end tokens. */
  int[] encode(String text);

  int startOfText();

  int endOfText();

  String decode(int[] ids);

  /** The {@code tokenizer.json} a checkpoint stores; {@link #fromJson} reads it back. */
  String toJson();

  /** Either kind's {@code tokenizer.json}: OpenCLIP's reference ({@link ClipBpeTokenizer#toJson}) or a BPE one. */
  static Tokenizer fromJson(String json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    if (root.has(ClipBpeTokenizer.JSON_KIND)) {
      return ClipBpeTokenizer.fromJson(root);
    }
    return BpeTokenizer.fromJson(json);
  }
}
