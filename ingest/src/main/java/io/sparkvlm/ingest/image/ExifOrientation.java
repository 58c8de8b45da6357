package io.sparkvlm.ingest.image;

/**
 * The EXIF orientation tag of a JPEG (1 = as stored, 2..8 = flips and rotations, applied by
 * {@link OpenCvImages#orient}).
 */
public final class ExifOrientation {
  private ExifOrientation() {}

  /** The orientation in a JPEG's APP1 Exif segment, or 1 when there is none or it cannot be read. */
  public static int read(byte[] jpeg) {
    int i = 2;
    while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
      int marker = jpeg[i + 1] & 0xFF;
      int length = ((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF);
      if (marker == 0xDA || length < 2) {
        break; // start of scan: no more metadata
      }
      if (marker == 0xE1 && i + 10 <= jpeg.length && jpeg[i + 4] == 'E' && jpeg[i + 5] == 'x' && jpeg[i + 6] == 'i'
          && jpeg[i + 7] == 'f') {
        return fromTiff(jpeg, i + 10, Math.min(jpeg.length, i + 2 + length));
      }
      i += 2 + length;
    }
    return 1;
  }

  private static int fromTiff(byte[] b, int start, int end) {
    if (start + 8 > end) {
      return 1;
    }
    boolean little = b[start] == 'I';
    int ifd = start + u32(b, start + 4, little);
    if (ifd + 2 > end) {
      return 1;
    }
    int entries = u16(b, ifd, little);
    for (int e = 0; e < entries; e++) {
      int p = ifd + 2 + e * 12;
      if (p + 12 > end) {
        return 1;
      }
      if (u16(b, p, little) == 0x0112) {
        int value = u16(b, p + 8, little);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  private static int u16(byte[] b, int p, boolean little) {
    return little ? (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 : (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
  }

  private static int u32(byte[] b, int p, boolean little) {
    return little ? u16(b, p, true) | u16(b, p + 2, true) << 16 : u16(b, p, false) << 16 | u16(b, p + 2, false);
  }
}
