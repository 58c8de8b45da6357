package io.sparkvlm.core.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * OpenCLIP's (and OpenAI CLIP's) tokenizer, loaded from its {@code bpe_simple_vocab_16e6.txt.gz}: text cleaned
 * (see {@link #clean}), lower-cased, split by CLIP's pattern, byte-level BPE with an end-of-word marker
 * {@code </w>}; 49,408 ids, {@code <start_of_text>} = 49406 and {@code <end_of_text>} = 49407. {@link #tokenize}
 * adds both and pads or truncates to the context length as OpenCLIP's {@code tokenize} does, so real OpenCLIP text
 * towers can be fed.
 *
 * <p>OpenCLIP cleans with ftfy.fix_text; this class applies the parts of it that matter for ordinary text (NFC,
 * curly quotes straightened, Latin ligatures and full-width forms folded, control characters dropped), not ftfy's
 * mojibake repair.
 */
public final class ClipBpeTokenizer implements Tokenizer {
  private static final long serialVersionUID = 1L;
  public static final String START = "<start_of_text>";
  public static final String END = "<end_of_text>";
  /** The vocabulary OpenCLIP ships (MIT, from OpenAI's CLIP), bundled with core. */
  public static final String BUNDLED_VOCABULARY = "bpe_simple_vocab_16e6.txt.gz";
  /** The key of this tokenizer's {@code tokenizer.json}: {@code {"openclip_bpe": {"vocabulary": NAME}}}. */
  static final String JSON_KIND = "openclip_bpe";

  private final Map<String, Integer> encoder;
  private final String[] decoder;
  private final Map<String, Integer> ranks;
  private transient Map<String, String> cache;
  private transient Pattern pattern;

  private ClipBpeTokenizer(Map<String, Integer> encoder, String[] decoder, Map<String, Integer> ranks) {
    this.encoder = encoder;
    this.decoder = decoder;
    this.ranks = ranks;
  }

  /** Loads the merges file ({@code bpe_simple_vocab_16e6.txt.gz}, or the same uncompressed). */
  public static ClipBpeTokenizer load(InputStream in, boolean gzipped) throws IOException {
    String text = new String((gzipped ? new GZIPInputStream(in) : in).readAllBytes(), StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    int last = 49152 - 256 - 2 + 1;
    if (lines.length < last) {
      throw new IOException("not a CLIP BPE vocabulary: " + lines.length + " lines, expected at least " + last);
    }
    List<String> vocab = new ArrayList<>(clipByteOrder());
    int n = vocab.size();
    for (int i = 0; i < n; i++) {
      vocab.add(vocab.get(i) + "</w>");
    }
    Map<String, Integer> ranks = new HashMap<>();
    for (int i = 1; i < last; i++) {
      String[] pair = lines[i].trim().split("\\s+");
      if (pair.length != 2) {
        throw new IOException("not a CLIP BPE vocabulary: line " + (i + 1) + " is '" + lines[i] + "'");
      }
      ranks.put(pair[0] + " " + pair[1], i - 1);
      vocab.add(pair[0] + pair[1]);
    }
    vocab.add(START);
    vocab.add(END);
    Map<String, Integer> encoder = new HashMap<>();
    for (int i = 0; i < vocab.size(); i++) {
      encoder.put(vocab.get(i), i);
    }
    return new ClipBpeTokenizer(encoder, vocab.toArray(String[]::new), ranks);
  }

  /** The byte-level symbols in CLIP's order: printable bytes first, then the rest (bytes_to_unicode's order). */
  static List<String> clipByteOrder() {
    List<String> byByte = ByteLevel.alphabet();
    List<String> out = new ArrayList<>();
    List<Integer> rest = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (printable) {
        out.add(byByte.get(b));
      } else {
        rest.add(b);
      }
    }
    rest.forEach(b -> out.add(byByte.get(b)));
    return out;
  }

  @Override
  public int vocabSize() {
    return decoder.length;
  }

  /** OpenCLIP's tokenizer on the vocabulary bundled with core (loaded once per JVM). */
  public static ClipBpeTokenizer bundled() {
    return Bundled.TOKENIZER;
  }

  /** Loaded on first use, once (the JVM's class initialisation). */
  private static final class Bundled {
    static final ClipBpeTokenizer TOKENIZER = read();

    private static ClipBpeTokenizer read() {
      try (InputStream in = ClipBpeTokenizer.class.getResourceAsStream(BUNDLED_VOCABULARY)) {
        if (in == null) {
          throw new IllegalStateException("core's " + BUNDLED_VOCABULARY + " is missing from the classpath");
        }
        return load(in, true);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("Cannot read core's " + BUNDLED_VOCABULARY, e);
      }
    }
  }

  /** A reference to the bundled vocabulary, not a copy of it (the vocabulary is 1.4 MB and never changes). */
  @Override
  public String toJson() {
    return "{\"" + JSON_KIND + "\": {\"vocabulary\": \"" + BUNDLED_VOCABULARY + "\"}}\n";
  }

  static ClipBpeTokenizer fromJson(com.fasterxml.jackson.databind.JsonNode root) throws IOException {
    String vocabulary = root.path(JSON_KIND).path("vocabulary").asText("");
    if (!vocabulary.equals(BUNDLED_VOCABULARY)) {
      throw new IOException("tokenizer.json: " + JSON_KIND + ".vocabulary is '" + vocabulary + "'; the only one "
          + "bundled is " + BUNDLED_VOCABULARY);
    }
    return bundled();
  }

  @Override
  public int startOfText() {
    return encoder.get(START);
  }

  @Override
  public int endOfText() {
    return encoder.get(END);
  }

  /** OpenCLIP's clean (the "lower" variant): fix text, unescape HTML twice, collapse whitespace, lower case. */
  public static String clean(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFC);
    s = s.replace('\u201C', '"').replace('\u201D', '"').replace('\u201E', '"').replace('\u201F', '"')
        .replace('\u2018', '\'').replace('\u2019', '\'').replace('\u201A', '\'').replace('\u201B', '\'')
        .replace("\uFB00", "ff").replace("\uFB01", "fi").replace("\uFB02", "fl").replace("\uFB03", "ffi")
        .replace("\uFB04", "ffl");
    StringBuilder folded = new StringBuilder();
    s.codePoints().forEach(cp -> {
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        folded.appendCodePoint(cp - 0xFF01 + 0x21); // full-width forms
      } else if (Character.getType(cp) == Character.CONTROL && !Character.isWhitespace(cp)) {
        return;
      } else {
        folded.appendCodePoint(cp);
      }
    });
    s = Html.unescape(Html.unescape(folded.toString())).strip();
    s = String.join(" ", s.trim().split("[\\s\\u00A0\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+"));
    return s.strip().toLowerCase(java.util.Locale.ROOT);
  }

  public int[] encode(String text) {
    List<Integer> ids = new ArrayList<>();
    Matcher m = pattern().matcher(clean(text));
    while (m.find()) {
      String token = m.group();
      String bpe = token.equals(START) || token.equals(END) ? token : bpe(ByteLevel.encode(token));
      for (String t : bpe.split(" ")) {
        ids.add(encoder.get(t));
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@code <start_of_text>} + ids + {@code <end_of_text>}, truncated (keeping the end token) or padded with 0. */
  public int[] tokenize(String text, int contextLength) {
    int[] ids = encode(text);
    int[] out = new int[contextLength];
    out[0] = startOfText();
    int n = Math.min(ids.length, contextLength - 2);
    System.arraycopy(ids, 0, out, 1, n);
    out[n + 1] = endOfText();
    return out;
  }

  public String decode(int[] ids) {
    StringBuilder s = new StringBuilder();
    for (int id : ids) {
      s.append(decoder[id]);
    }
    String joined = s.toString();
    StringBuilder out = new StringBuilder();
    StringBuilder bytes = new StringBuilder();
    Matcher m = Pattern.compile(Pattern.quote(START) + "|" + Pattern.quote(END)).matcher(joined);
    int at = 0;
    while (m.find()) {
      out.append(utf8(joined.substring(at, m.start()).replace("</w>", "\u0000")));
      out.append(m.group());
      at = m.end();
    }
    out.append(utf8(joined.substring(at).replace("</w>", "\u0000")));
    return out.toString().replace('\u0000', ' ');
  }

  private static String utf8(String byteChars) {
    StringBuilder chars = new StringBuilder();
    StringBuilder run = new StringBuilder();
    for (char c : byteChars.toCharArray()) {
      if (c == '\u0000') {
        chars.append(decodeBytes(run)).append('\u0000');
        run.setLength(0);
      } else {
        run.append(c);
      }
    }
    return chars.append(decodeBytes(run)).toString();
  }

  private static String decodeBytes(StringBuilder run) {
    if (run.length() == 0) {
      return "";
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(java.nio.ByteBuffer.wrap(ByteLevel.decode(run.toString()))).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** CLIP's BPE of one pre-token (end-of-word marker on the last symbol), merged symbols joined by spaces. */
  String bpe(String token) {
    Map<String, String> c = cache();
    String cached = c.get(token);
    if (cached != null) {
      return cached;
    }
    List<String> word = new ArrayList<>();
    int[] cps = token.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) {
      String s = new String(Character.toChars(cps[i]));
      word.add(i == cps.length - 1 ? s + "</w>" : s);
    }
    while (word.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      String best = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
        if (r != null && r < bestRank) {
          bestRank = r;
          best = word.get(i) + " " + word.get(i + 1);
        }
      }
      if (best == null) {
        break;
      }
      String first = best.substring(0, best.indexOf(' '));
      String second = best.substring(best.indexOf(' ') + 1);
      List<String> merged = new ArrayList<>();
      for (int i = 0; i < word.size(); i++) {
        if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
          merged.add(first + second);
          i++;
        } else {
          merged.add(word.get(i));
        }
      }
      word = merged;
    }
    String out = String.join(" ", word);
    if (c.size() < 100_000) {
      c.put(token, out);
    }
    return out;
  }

  private Pattern pattern() {
    if (pattern == null) {
      pattern = Pattern.compile(Pattern.quote(START) + "|" + Pattern.quote(END)
          + "|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    }
    return pattern;
  }

  private Map<String, String> cache() {
    if (cache == null) {
      cache = new ConcurrentHashMap<>();
    }
    return cache;
  }
}
