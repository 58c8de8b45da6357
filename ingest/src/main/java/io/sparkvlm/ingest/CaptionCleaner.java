package io.sparkvlm.ingest;

import io.sparkvlm.core.text.Html;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cleans alt-text: drops HTML tags, decodes HTML entities (named ones in common use and all numeric ones),
 * collapses whitespace and control characters, and cuts captions longer than the limit at a word boundary.
 */
public final class CaptionCleaner {
  private static final Pattern TAG = Pattern.compile("<[^>]{0,1000}>");
  private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");
  private static final Pattern SPACE = Pattern.compile("[\\s\\p{Cc}\\u00A0\\u200B]+");

  private final int maxChars;

  public CaptionCleaner(int maxChars) {
    this.maxChars = maxChars;
  }

  public String clean(String raw) {
    if (raw == null) {
      return "";
    }
    // entities first so "&lt;b&gt;" (escaped markup in alt text) is removed as the tag it spells
    String s = decodeEntities(raw);
    s = TAG.matcher(s).replaceAll(" ");
    s = SPACE.matcher(s).replaceAll(" ").trim();
    if (s.length() > maxChars) {
      int cut = s.lastIndexOf(' ', maxChars);
      s = (cut > maxChars / 2 ? s.substring(0, cut) : s.substring(0, maxChars)).trim();
    }
    return s;
  }

  static String decodeEntities(String s) {
    Matcher m = ENTITY.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String e = m.group(1);
      String replacement;
      if (e.startsWith("#x") || e.startsWith("#X")) {
        replacement = codePoint(Integer.parseInt(e.substring(2), 16));
      } else if (e.startsWith("#")) {
        replacement = codePoint(Integer.parseInt(e.substring(1)));
      } else {
        replacement = Html.NAMED.getOrDefault(e, m.group()); // &nbsp; becomes U+00A0, collapsed below
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String codePoint(int cp) {
    return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : " ";
  }
}
