package io.sparkvlm.core.image;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Image formats recognised by their leading bytes (never by file name or Content-Type, which lie). */
public enum ImageFormat {
  JPEG("image/jpeg"), PNG("image/png"), GIF("image/gif"), BMP("image/bmp"), WEBP("image/webp");

  private final String mimeType;

  ImageFormat(String mimeType) {
    this.mimeType = mimeType;
  }

  public String mimeType() {
    return mimeType;
  }

  public static Optional<ImageFormat> sniff(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return Optional.of(JPEG);
    }
    if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return Optional.of(PNG);
    }
    if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
      return Optional.of(GIF);
    }
    if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
      return Optional.of(BMP);
    }
    if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
        && b[10] == 'B' && b[11] == 'P') {
      return Optional.of(WEBP);
    }
    return Optional.empty();
  }

  /** A short printable description of what the bytes start with, for error messages. */
  public static String describeStart(byte[] b) {
    String head = new String(b, 0, Math.min(b.length, 24), StandardCharsets.ISO_8859_1)
        .replaceAll("[^\\x20-\\x7E]", ".").trim();
    return b.length == 0 ? "empty body" : "starts with '" + head + "'";
  }
}
