package io.sparkvlm.core.text;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTML character references: numeric ones and the named ones common in captions (Python's html.unescape subset). */
public final class Html {
  private static final Pattern REF = Pattern.compile("&(#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[a-zA-Z]{2,8};)");
  /** The named character references this project decodes (name without '&' and ';'). */
  public static final Map<String, String> NAMED = Map.ofEntries(
      Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
      Map.entry("apos", "'"), Map.entry("nbsp", "\u00A0"), Map.entry("ndash", "\u2013"), Map.entry("mdash", "\u2014"),
      Map.entry("hellip", "\u2026"), Map.entry("rsquo", "\u2019"), Map.entry("lsquo", "\u2018"),
      Map.entry("rdquo", "\u201D"), Map.entry("ldquo", "\u201C"), Map.entry("copy", "\u00A9"),
      Map.entry("reg", "\u00AE"), Map.entry("trade", "\u2122"), Map.entry("eacute", "\u00E9"),
      Map.entry("times", "\u00D7"), Map.entry("deg", "\u00B0"));

  private Html() {}

  public static String unescape(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    Matcher m = REF.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String ref = m.group(1);
      String r;
      if (ref.startsWith("#x") || ref.startsWith("#X")) {
        r = codePoint(Integer.parseInt(ref.substring(2).replace(";", ""), 16));
      } else if (ref.startsWith("#")) {
        r = codePoint(Integer.parseInt(ref.substring(1).replace(";", "")));
      } else {
        r = NAMED.getOrDefault(ref.substring(0, ref.length() - 1), m.group());
      }
      m.appendReplacement(out, Matcher.quoteReplacement(r));
    }
    return m.appendTail(out).toString();
  }

  private static String codePoint(int cp) {
    return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : "\uFFFD";
  }
}
