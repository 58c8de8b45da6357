package io.sparkvlm.core.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level scheme, as Hugging Face's ByteLevel pre-tokenizer applies it: text is split by GPT-2's regex,
 * each piece's UTF-8 bytes are mapped one to one onto printable characters (so any string, in any script, is
 * representable with 256 base symbols and round-trips exactly), and BPE runs on those characters.
 */
public final class ByteLevel {
  /** GPT-2's pre-tokenization pattern (contractions, letters, numbers, other symbols, whitespace). */
  static final Pattern SPLIT = Pattern.compile(
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    List<Integer> printable = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      printable.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable.add(b);
    }
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 0;
    for (int b = 0; b < 256; b++) {
      char c = printable.contains(b) ? (char) b : (char) (256 + next++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  /** The pieces GPT-2's regex splits {@code text} into. */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = SPLIT.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** A piece's UTF-8 bytes as byte-level characters. */
  public static String encode(String piece) {
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    StringBuilder s = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      s.append(BYTE_TO_CHAR[b & 0xFF]);
    }
    return s.toString();
  }

  /** Byte-level characters back to the bytes they stand for. */
  public static byte[] decode(String chars) {
    byte[] out = new byte[chars.length()];
    for (int i = 0; i < chars.length(); i++) {
      char c = chars.charAt(i);
      int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b < 0) {
        throw new IllegalArgumentException("not a byte-level character: U+" + Integer.toHexString(c));
      }
      out[i] = (byte) b;
    }
    return out;
  }

  /** The 256 base symbols, in byte order. */
  public static List<String> alphabet() {
    List<String> out = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      out.add(String.valueOf(BYTE_TO_CHAR[b]));
    }
    return out;
  }
}
