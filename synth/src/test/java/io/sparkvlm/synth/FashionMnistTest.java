package io.sparkvlm.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  /** Debian's dataset-fashion-mnist, which ./run-tests installs. */
  static Path debianFiles() {
    Path p = Path.of(System.getProperty("sparkvlm.fashion-mnist.dir", FashionMnist.DEBIAN_DIR.toString()));
    assertThat(p.resolve("t10k-images-idx3-ubyte.gz"))
        .as("Fashion-MNIST IDX files (apt-get install dataset-fashion-mnist; ./run-tests does it)").exists();
    return p;
  }

  @Test
  void readsTheRealIdxFiles() throws IOException {
    Path src = debianFiles();
    FashionMnist.Images test = FashionMnist.readImages(src.resolve("t10k-images-idx3-ubyte.gz"));
    byte[] labels = FashionMnist.readLabels(src.resolve("t10k-labels-idx1-ubyte.gz"));
    assertThat(test.count()).isEqualTo(10_000);
    assertThat(test.rows()).isEqualTo(28);
    assertThat(test.cols()).isEqualTo(28);
    assertThat(labels).hasSize(10_000);
    int[] perClass = new int[10];
    for (byte l : labels) {
      perClass[l]++;
    }
    assertThat(perClass).containsOnly(1000); // the test split is balanced
    // real photos, not blank: the mean pixel of the first image is well above zero
    double mean = 0;
    for (int i = 0; i < 28 * 28; i++) {
      mean += test.pixels()[i] & 0xFF;
    }
    assertThat(mean / (28 * 28)).isGreaterThan(20);
  }

  @Test
  void writesAnImageFolderWithCaptionsAndAZeroShotSet() throws IOException {
    int n = FashionMnist.write(debianFiles(), dir, 40, 7);
    assertThat(n).isEqualTo(80);
    JsonNode zs = Json.MAPPER.readTree(dir.resolve("zeroshot/fashion-mnist.json").toFile());
    assertThat(zs.get("classes")).hasSize(10);
    assertThat(zs.get("samples")).hasSize(40);
    for (JsonNode s : zs.get("samples")) {
      Path png = dir.resolve(s.get("image").asText());
      assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(28);
      String cls = FashionMnist.CLASSES.get(s.get("label").asInt());
      assertThat(png.getParent().getFileName().toString()).isEqualTo(cls.replace(' ', '-'));
      String caption = Files.readString(Path.of(png.toString().replace(".png", ".txt")));
      assertThat(caption).contains(cls);
    }
    // the train split, for a linear probe's training
    JsonNode probe = Json.MAPPER.readTree(dir.resolve("probe/fashion-mnist.json").toFile());
    assertThat(probe.get("classes")).isEqualTo(zs.get("classes"));
    assertThat(probe.get("samples")).hasSize(40);
    for (JsonNode s : probe.get("samples")) {
      assertThat(s.get("image").asText()).startsWith("images/train/");
      assertThat(dir.resolve(s.get("image").asText())).exists();
    }
  }

  @Test
  void badIdxFilesGetClearErrors() throws IOException {
    Path wrongMagic = dir.resolve("bad-images.gz");
    writeGz(wrongMagic, 2049, 1, 28, 28);
    assertThatThrownBy(() -> FashionMnist.readImages(wrongMagic)).hasMessageContaining("not an IDX image file");
    Path truncated = dir.resolve("short-images.gz");
    writeGz(truncated, 2051, 5, 28, 28); // header says 5 images, no pixels follow
    assertThatThrownBy(() -> FashionMnist.readImages(truncated)).hasMessageContaining("truncated");
    assertThatThrownBy(() -> FashionMnist.write(dir.resolve("nowhere"), dir.resolve("out"), 1, 1))
        .hasMessageContaining("Fashion-MNIST file missing");
  }

  private static void writeGz(Path file, int... ints) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(raw);
    for (int i : ints) {
      d.writeInt(i);
    }
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(raw.toByteArray());
    }
  }
}
