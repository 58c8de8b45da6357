package io.sparkvlm.ingest.download;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An input row's URL as browsers and Python's requests take it: raw spaces, non-ASCII characters and the other
 * characters a URI may not hold are percent-encoded (UTF-8); an existing {@code %XX} escape is kept. A value that is
 * no URL at all (no scheme, no host) is invalid input, not a failed download.
 */
public final class WebUrls {
  private WebUrls() {}

  /** A URL ready to fetch, or why the value is not one. */
  public sealed interface Parsed {}

  public record Valid(URI uri) implements Parsed {}

  public record Invalid(String reason) implements Parsed {}

  /** Characters a URI holds as they are (RFC 3986 unreserved and reserved, and '%' before two hex digits). */
  private static final String KEPT = "-._~:/?#[]@!$&'()*+,;=";

  public static Parsed parse(String raw) {
    if (raw == null || raw.isBlank()) {
      return new Invalid("no URL");
    }
    String text = raw.strip();
    int colon = text.indexOf("://");
    if (colon <= 0 || !text.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return new Invalid("not a URL (no scheme://): '" + abbreviate(text) + "'");
    }
    URI uri;
    try {
      uri = new URI(encode(text));
    } catch (URISyntaxException e) {
      return new Invalid("not a URL: " + e.getMessage());
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return new Invalid("no host in '" + abbreviate(text) + "'");
    }
    return new Valid(uri);
  }

  /** {@code text} with every character a URI may not hold percent-encoded as UTF-8. */
  static String encode(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int n = Character.charCount(cp);
      if (cp == '%' && isHex(text, i + 1) && isHex(text, i + 2)) {
        out.append('%');
      } else if (cp < 128 && (Character.isLetterOrDigit(cp) || KEPT.indexOf(cp) >= 0)) {
        out.append((char) cp);
      } else {
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
        }
      }
      i += n;
    }
    return out.toString();
  }

  private static boolean isHex(String s, int i) {
    return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
