package io.sparkvlm.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ClipInputsDecodeTest {
  private static byte[] encoded(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), format);
    return out.toByteArray();
  }

  private static BufferedImage picture() {
    BufferedImage image = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(200, 40, 90));
    g.fillRect(0, 0, 37, 23);
    g.setColor(Color.CYAN);
    g.fillOval(5, 3, 20, 15);
    g.dispose();
    return image;
  }

  private static int[] rgb(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  /** A PNG whose header claims side x side grey pixels, followed by a few compressed rows only. */
  private static byte[] claimingPng(int side) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(png);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(header);
    h.writeInt(side);
    h.writeInt(side);
    h.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit grey, deflate, no filter method, no interlace
    chunk(out, "IHDR", header.toByteArray());
    ByteArrayOutputStream rows = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(rows, new Deflater(9))) {
      for (int i = 0; i < 16; i++) {
        z.write(new byte[side + 1]);
      }
    }
    chunk(out, "IDAT", rows.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeInt(data.length);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }

  @Test
  void decodesWhatImageIoDecodes() throws IOException {
    for (String format : new String[] {"png", "jpg", "bmp", "gif"}) {
      byte[] bytes = encoded(picture(), format);
      BufferedImage expected = ImageIO.read(new ByteArrayInputStream(bytes));
      BufferedImage decoded = ClipInputs.decode(bytes);
      assertEquals(37, decoded.getWidth(), format);
      assertEquals(23, decoded.getHeight(), format);
      assertArrayEquals(rgb(expected), rgb(decoded), format);
    }
  }

  @Test
  void refusesADecompressionBombFromItsHeader() throws IOException {
    byte[] bomb = claimingPng(40_000); // 1.6 G pixels claimed in 21 KB
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipInputs.decode(bomb));
    assertEquals("too many pixels to decode (decompression bomb?): 40000x40000 > 89478485", e.getMessage());
    // just under the limit is decoded (and fails only on its missing rows)
    IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
        () -> ClipInputs.decode(claimingPng(9_000)));
    assertTrue(truncated.getMessage().startsWith("cannot decode image: "), truncated.getMessage());
  }

  @Test
  void namesBytesThatAreNoImage() {
    byte[] html = "<!doctype html><html><body>not found</body></html>".getBytes(StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipInputs.decode(html));
    assertEquals("not a decodable image (50 bytes)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClipInputs.decode(new byte[0]));
  }
}
