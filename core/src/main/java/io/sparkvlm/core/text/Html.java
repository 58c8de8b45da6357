package io.sparkvlm.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references decoded exactly as Python's {@code html.unescape} does (what OpenCLIP's
 * {@code basic_clean} and img2dataset-style caption cleaning call): the full WHATWG set of named references, with
 * the legacy ones that need no semicolon and the longest-prefix rule; numeric references with the HTML5 rules for
 * invalid ones (Windows-1252 for 0x80-0x9F, U+FFFD for surrogates and out-of-range values, nothing for the
 * forbidden code points). The tables are Python's, as data ({@code html5-entities.json}, made by
 * {@code scripts/fixtures/make_html_entities.py}); tested against html.unescape's output.
 */
public final class Html {
  /** Python's {@code html._charref}. */
  private static final Pattern REF =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
  private static final Map<String, String> NAMED = new HashMap<>();
  private static final Map<Integer, String> INVALID_CHARREFS = new HashMap<>();
  private static final Set<Integer> INVALID_CODEPOINTS = new HashSet<>();

  static {
    try (InputStream in = Html.class.getResourceAsStream("html5-entities.json")) {
      if (in == null) {
        throw new IllegalStateException("html5-entities.json is missing from the class path");
      }
      JsonNode tables = Json.MAPPER.readTree(in);
      tables.get("named").fields().forEachRemaining(e -> NAMED.put(e.getKey(), e.getValue().asText()));
      tables.get("invalid_charrefs").fields().forEachRemaining(e -> INVALID_CHARREFS.put(
          Integer.parseInt(e.getKey()), e.getValue().asText()));
      tables.get("invalid_codepoints").forEach(n -> INVALID_CODEPOINTS.add(n.asInt()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Html() {}

  /** Whether {@code name} (without '&', with its ';' if it takes one, e.g. "amp;", "amp") is a named reference. */
  public static boolean isNamed(String name) {
    return NAMED.containsKey(name);
  }

  public static String unescape(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    Matcher m = REF.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
    }
    return m.appendTail(out).toString();
  }

  /** Python's {@code html._replace_charref}. */
  private static String replace(String ref) {
    if (ref.charAt(0) == '#') {
      boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
      String digits = ref.substring(hex ? 2 : 1).replaceAll(";+$", "");
      long num;
      try {
        num = new java.math.BigInteger(digits, hex ? 16 : 10).min(java.math.BigInteger.valueOf(0x7FFFFFFFL))
            .longValue();
      } catch (NumberFormatException e) {
        return "&" + ref;
      }
      if (INVALID_CHARREFS.containsKey((int) num)) {
        return INVALID_CHARREFS.get((int) num);
      }
      if (num >= 0xD800 && num <= 0xDFFF || num > 0x10FFFF) {
        return "\uFFFD";
      }
      if (INVALID_CODEPOINTS.contains((int) num)) {
        return "";
      }
      return new String(Character.toChars((int) num));
    }
    String named = NAMED.get(ref);
    if (named != null) {
      return named;
    }
    // the longest name that is a reference, the rest kept as text
    for (int x = ref.length() - 1; x > 1; x--) {
      String prefix = NAMED.get(ref.substring(0, x));
      if (prefix != null) {
        return prefix + ref.substring(x);
      }
    }
    return "&" + ref;
  }
}
