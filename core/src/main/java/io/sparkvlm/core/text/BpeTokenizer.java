package io.sparkvlm.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE, the scheme of GPT-2 and of Hugging Face's ByteLevel BPE tokenizers: special tokens are split out
 * first and map to their own ids; the rest is split by {@link ByteLevel#split}, mapped to byte-level characters and
 * merged by merge rank. Any string round-trips: {@code decode(encode(s)) == s}. Saved and loaded in Hugging Face's
 * {@code tokenizer.json} form, so the same file works with the {@code tokenizers} library. Thread-safe.
 */
public final class BpeTokenizer implements Tokenizer {
  private static final long serialVersionUID = 1L;

  private final Map<String, Integer> vocab;
  private final String[] tokens;
  private final List<String> merges;
  private final Map<String, Integer> mergeRank;
  private final List<String> special;
  private transient Pattern specialPattern;
  private transient Map<String, int[]> cache;

  /**
   * @param vocab token -> id (ids 0..n-1, each once), special tokens included
   * @param merges merge rules "left right", best first
   * @param special the special tokens (a subset of the vocabulary)
   */
  public BpeTokenizer(Map<String, Integer> vocab, List<String> merges, List<String> special) {
    this.vocab = Map.copyOf(vocab);
    this.tokens = new String[vocab.size()];
    vocab.forEach((t, id) -> {
      if (id < 0 || id >= tokens.length || tokens[id] != null) {
        throw new IllegalArgumentException("vocabulary ids must be 0.." + (tokens.length - 1) + ", each once; bad id "
            + id + " for '" + t + "'");
      }
      tokens[id] = t;
    });
    this.merges = List.copyOf(merges);
    this.mergeRank = new HashMap<>();
    for (int i = 0; i < merges.size(); i++) {
      mergeRank.put(merges.get(i), i);
    }
    for (String s : special) {
      if (!vocab.containsKey(s)) {
        throw new IllegalArgumentException("special token " + s + " is not in the vocabulary");
      }
    }
    this.special = List.copyOf(special);
  }

  @Override
  public int startOfText() {
    return id(SpecialTokens.START_OF_TEXT);
  }

  @Override
  public int endOfText() {
    return id(SpecialTokens.END_OF_TEXT);
  }

  @Override
  public int vocabSize() {
    return tokens.length;
  }

  public int id(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("no token '" + token + "' in the vocabulary");
    }
    return id;
  }

  public String token(int id) {
    return tokens[id];
  }

  public List<String> specialTokens() {
    return special;
  }

  public List<String> merges() {
    return merges;
  }

  public int[] encode(String text) {
    List<Integer> ids = new ArrayList<>();
    Matcher m = specialPattern().matcher(text);
    int at = 0;
    while (m.find()) {
      encodeOrdinary(text.substring(at, m.start()), ids);
      ids.add(vocab.get(m.group()));
      at = m.end();
    }
    encodeOrdinary(text.substring(at), ids);
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  private void encodeOrdinary(String text, List<Integer> out) {
    if (text.isEmpty()) {
      return;
    }
    for (String piece : ByteLevel.split(text)) {
      for (int id : word(ByteLevel.encode(piece))) {
        out.add(id);
      }
    }
  }

  /** BPE of one pre-token: repeatedly merge the adjacent pair with the best rank. */
  private int[] word(String chars) {
    Map<String, int[]> c = cache();
    int[] cached = c.get(chars);
    if (cached != null) {
      return cached;
    }
    List<String> symbols = new ArrayList<>();
    chars.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
    while (symbols.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      int best = -1;
      for (int i = 0; i + 1 < symbols.size(); i++) {
        Integer r = mergeRank.get(symbols.get(i) + " " + symbols.get(i + 1));
        if (r != null && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      String left = symbols.get(best);
      String right = symbols.get(best + 1);
      List<String> merged = new ArrayList<>(symbols.size());
      for (int i = 0; i < symbols.size(); i++) {
        if (i + 1 < symbols.size() && symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
          merged.add(left + right);
          i++;
        } else {
          merged.add(symbols.get(i));
        }
      }
      symbols.clear();
      symbols.addAll(merged);
    }
    int[] ids = new int[symbols.size()];
    for (int i = 0; i < ids.length; i++) {
      Integer id = vocab.get(symbols.get(i));
      if (id == null) {
        throw new IllegalStateException("BPE produced '" + symbols.get(i) + "', which is not in the vocabulary");
      }
      ids[i] = id;
    }
    if (c.size() < 100_000) {
      c.put(chars, ids);
    }
    return ids;
  }

  /** The text of {@code ids}; special tokens included as their text. Invalid UTF-8 becomes U+FFFD. */
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  public String decode(int[] ids, boolean skipSpecial) {
    StringBuilder out = new StringBuilder();
    StringBuilder bytes = new StringBuilder();
    for (int id : ids) {
      if (id < 0 || id >= tokens.length) {
        throw new IllegalArgumentException("token id " + id + " is outside 0.." + (tokens.length - 1));
      }
      String t = tokens[id];
      if (special.contains(t)) {
        out.append(utf8(bytes));
        bytes.setLength(0);
        if (!skipSpecial) {
          out.append(t);
        }
      } else {
        bytes.append(t);
      }
    }
    return out.append(utf8(bytes)).toString();
  }

  private static String utf8(StringBuilder byteChars) {
    if (byteChars.length() == 0) {
      return "";
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(java.nio.ByteBuffer.wrap(ByteLevel.decode(byteChars.toString()))).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Pattern specialPattern() {
    if (specialPattern == null) {
      List<String> sorted = new ArrayList<>(special);
      sorted.sort((a, b) -> b.length() - a.length()); // longest first
      specialPattern = sorted.isEmpty() ? Pattern.compile("(?!)")
          : Pattern.compile(String.join("|", sorted.stream().map(Pattern::quote).toList()));
    }
    return specialPattern;
  }

  private Map<String, int[]> cache() {
    if (cache == null) {
      cache = new ConcurrentHashMap<>();
    }
    return cache;
  }

  // ---------------------------------------------------------------- tokenizer.json

  /** Hugging Face's tokenizer.json (BPE model, ByteLevel pre-tokenizer and decoder). */
  public String toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : special) {
      added.addObject().put("id", vocab.get(s)).put("content", s).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", true);
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
        .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
        .put("ignore_merges", false);
    ObjectNode v = model.putObject("vocab");
    for (int i = 0; i < tokens.length; i++) {
      v.put(tokens[i], i);
    }
    ArrayNode m = model.putArray("merges");
    merges.forEach(m::add);
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static BpeTokenizer fromJson(String json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    JsonNode model = root.path("model");
    if (!"BPE".equals(model.path("type").asText())) {
      throw new IOException("not a BPE tokenizer.json: model.type is '" + model.path("type").asText() + "'");
    }
    if (!"ByteLevel".equals(root.path("pre_tokenizer").path("type").asText())) {
      throw new IOException("only byte-level BPE tokenizers are supported: pre_tokenizer.type is '"
          + root.path("pre_tokenizer").path("type").asText() + "'");
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    List<String> merges = new ArrayList<>();
    for (JsonNode m : model.path("merges")) {
      merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
    }
    List<String> special = new ArrayList<>();
    for (JsonNode a : root.path("added_tokens")) {
      vocab.putIfAbsent(a.get("content").asText(), a.get("id").asInt());
      if (a.path("special").asBoolean(false)) {
        special.add(a.get("content").asText());
      }
    }
    return new BpeTokenizer(vocab, merges, special);
  }
}
