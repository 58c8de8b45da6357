package io.sparkvlm.ingest;

import io.sparkvlm.core.text.Html;
import java.util.regex.Pattern;

/**
 * Cleans alt-text: drops HTML tags, decodes HTML character references (the full HTML5 set, as Python's
 * html.unescape),
 * collapses whitespace and control characters, and cuts captions longer than the limit at a word boundary.
 */
public final class CaptionCleaner {
  private static final Pattern TAG = Pattern.compile("<[^>]{0,1000}>");
  /** Whitespace, control characters, no-break and zero-width spaces, and U+FFFD (what &#0; and bad bytes become). */
  private static final Pattern SPACE = Pattern.compile("[\\s\\p{Cc}\\u00A0\\u200B\\uFFFD]+");

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

  /** HTML character references decoded as Python's html.unescape (OpenCLIP's cleaning) does: core's {@link Html}. */
  static String decodeEntities(String s) {
    return Html.unescape(s); // &nbsp; becomes U+00A0, collapsed below
  }
}
