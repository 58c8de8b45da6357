package io.sparkvlm.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

class ExifOrientationTest {
  /** A JPEG with an APP1 Exif segment holding one IFD entry: Orientation. */
  static byte[] withOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
    ByteArrayOutputStream tiff = new ByteArrayOutputStream();
    if (littleEndian) {
      tiff.writeBytes(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0,
          (byte) orientation, 0, 0, 0, 0, 0, 0, 0, 0});
    } else {
      tiff.writeBytes(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
          0, (byte) orientation, 0, 0, 0, 0, 0, 0});
    }
    byte[] t = tiff.toByteArray();
    int length = 2 + 6 + t.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    out.write(0xFF);
    out.write(0xE1);
    out.write(length >> 8);
    out.write(length & 0xFF);
    out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
    out.writeBytes(t);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  @Test
  void readsTheOrientationTagInBothByteOrders() throws Exception {
    byte[] jpeg = ImageProcessorTest.encode(ImageProcessorTest.picture(40, 20, BufferedImage.TYPE_INT_RGB), "jpeg");
    assertThat(ExifOrientation.read(jpeg)).isEqualTo(1);
    for (int o = 1; o <= 8; o++) {
      assertThat(ExifOrientation.read(withOrientation(jpeg, o, true))).isEqualTo(o);
      assertThat(ExifOrientation.read(withOrientation(jpeg, o, false))).isEqualTo(o);
    }
  }

  @Test
  void appliesEachOrientationAsTheExifSpecDefines() {
    // a 3x2 image with distinct pixels: value = 10*y + x
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        img.setRGB(x, y, 10 * y + x);
      }
    }
    // the displayed image's first row for each orientation (stored rows: [0 1 2], [10 11 12])
    int[][] firstRow = {null, {0, 1, 2}, {2, 1, 0}, {12, 11, 10}, {10, 11, 12}, {0, 10}, {10, 0}, {12, 2}, {2, 12}};
    for (int o = 1; o <= 8; o++) {
      try (PointerScope scope = new PointerScope()) {
        BufferedImage d = OpenCvTestImages.toImage(OpenCvImages.orient(OpenCvImages.fromImage(img), o));
        int[] row = new int[d.getWidth()];
        for (int x = 0; x < d.getWidth(); x++) {
          row[x] = d.getRGB(x, 0) & 0xFFFFFF;
        }
        assertThat(row).as("orientation " + o).isEqualTo(firstRow[o]);
      }
    }
  }

  @Test
  void theProcessorTurnsRotatedPhotosUpright() throws Exception {
    byte[] jpeg = ImageProcessorTest.encode(ImageProcessorTest.picture(80, 40, BufferedImage.TYPE_INT_RGB), "jpeg");
    ImageProcessor p = ImageProcessorTest.processor(ResizeMode.NO, 64);
    ImageProcessor.Processed out = ImageProcessorTest.ok(p.process(withOrientation(jpeg, 6, false)));
    assertThat(out.width()).isEqualTo(40);
    assertThat(out.height()).isEqualTo(80);
    assertThat(out.originalWidth()).isEqualTo(40);
  }
}
