package io.sparkvlm.interop.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader against a file written by Hugging Face's safetensors package; the writer against its bytes. */
class SafetensorsTest {
  static final Path DTYPES = Path.of("src/test/resources/safetensors");
  static final Configuration CONF = new Configuration();
  @TempDir Path dir;

  static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  @Test
  void readsWhatTheReferenceWroteInEveryDtype() throws IOException {
    JsonNode expected = Json.MAPPER.readTree(DTYPES.resolve("dtypes.json").toFile());
    try (Safetensors.Reader in = Safetensors.open(hadoop(DTYPES.resolve("dtypes.safetensors")), CONF)) {
      assertThat(in.metadata()).containsEntry("format", "pt");
      assertThat(in.entries()).hasSize(5);
      for (String name : List.of("f32", "f16", "bf16", "scalar", "ids")) {
        Tensor t = in.read(name);
        JsonNode e = expected.get(name);
        long[] shape = new long[e.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = e.get("shape").get(i).asLong();
        }
        assertThat(t.shape()).as(name).containsExactly(shape);
        float[] values = t.floats();
        assertThat(values).as(name).hasSize(e.get("values").size());
        for (int i = 0; i < values.length; i++) {
          assertThat(values[i]).as(name + "[" + i + "]").isEqualTo((float) e.get("values").get(i).asDouble());
        }
      }
      assertThat(in.read("scalar").shape()).isEmpty();
      assertThat(in.read("ids").ints()).containsExactly(1, -2, 3);
      assertThat(in.read("f16").dtype()).isEqualTo(DType.F16);
    }
  }

  @Test
  void encodesF16AndBf16AsTorchRounds() throws IOException {
    try (Safetensors.Reader in = Safetensors.open(hadoop(DTYPES.resolve("dtypes.safetensors")), CONF)) {
      Tensor f32 = in.read("f32");
      for (DType d : List.of(DType.F16, DType.BF16)) {
        Tensor reference = in.read(d.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(Tensor.ofFloats(reference.name(), d, f32.shape(), f32.floats()).data()).as(d.name())
            .isEqualTo(reference.data());
      }
    }
  }

  @Test
  void everyHalfSurvivesARoundTripThroughFloat() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      float f = Tensor.halfToFloat(h);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(Tensor.halfToFloat(Tensor.floatToHalf(f)))).isTrue();
        continue;
      }
      assertThat(Tensor.floatToHalf(f)).as("half 0x%04x", bits).isEqualTo(h);
    }
    assertThat(Tensor.halfToFloat(Tensor.floatToHalf(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
    // ties go to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
    assertThat(Tensor.halfToFloat(Tensor.floatToHalf(1 + 0x1p-11f))).isEqualTo(1f);
    assertThat(Tensor.halfToFloat(Tensor.floatToHalf(1 + 3 * 0x1p-11f))).isEqualTo(1 + 0x1p-9f);
  }

  @Test
  void writtenFilesReadBackIdentically() throws IOException {
    List<Tensor> tensors = List.of(
        Tensor.ofFloats("a.weight", DType.F32, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
        Tensor.ofFloats("b", DType.BF16, new long[] {3}, new float[] {0.5f, -7, 1e-3f}),
        Tensor.ofFloats("scale", DType.F16, new long[0], new float[] {2.5f}));
    Path file = dir.resolve("out.safetensors");
    Safetensors.write(tensors, Map.of("format", "pt"), hadoop(file), false, CONF);
    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    try (Safetensors.Reader in = Safetensors.open(hadoop(file), CONF)) {
      for (Tensor t : tensors) {
        assertThat(in.read(t.name())).isEqualTo(t);
      }
      assertThat(in.metadata()).isEqualTo(Map.of("format", "pt"));
    }
    assertThatThrownBy(() -> Safetensors.write(tensors, Map.of(), hadoop(file), false, CONF))
        .hasMessageContaining("already exists");
    // nothing else left behind (Hadoop's local file system keeps a hidden .crc beside each file)
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")))
        .containsExactly("out.safetensors");
  }

  /** A file of {@code header} (JSON) and {@code data} bytes. */
  private Path file(String header, int dataBytes) throws IOException {
    return raw(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
  }

  private Path raw(long declaredLength, String header, int dataBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(declaredLength).array());
    out.write(header.getBytes(StandardCharsets.UTF_8));
    out.write(new byte[dataBytes]);
    Path p = Files.createTempFile(dir, "bad", ".safetensors");
    Files.write(p, out.toByteArray());
    return p;
  }

  private void refused(Path file, String... parts) {
    assertThatThrownBy(() -> Safetensors.open(hadoop(file), CONF).close()).isInstanceOf(SafetensorsError.class)
        .message().contains(parts);
  }

  @Test
  void malformedFilesAreRefusedNamingThePart() throws IOException {
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    refused(tiny, "3 bytes", "8-byte header length");
    refused(raw(1L << 40, "{}", 0), "header length 1099511627776", "at most");
    refused(raw(-1, "{}", 0), "header length 18446744073709551615");
    refused(file("{\"a\": ", 0), "header is not valid JSON");
    refused(file("[1, 2]", 0), "header is not a JSON object");
    refused(file("{\"w\": {\"dtype\": \"F8_E4M3\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2),
        "tensor 'w'", "unknown dtype 'F8_E4M3'", "F32, F16, BF16");
    refused(file("{\"w\": {\"shape\": [2], \"data_offsets\": [0, 8]}}", 8), "tensor 'w'", "dtype is missing");
    refused(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8), "tensor 'w'",
        "shape[0]");
    refused(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8]}}", 8), "tensor 'w'",
        "data_offsets");
    refused(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8), "tensor 'w'",
        "hold 8 bytes", "need 12");
    refused(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8), "tensor 'w'",
        "go past the data's 8 bytes");
    refused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
        + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "'a' [0, 8)", "'b' [4, 12)",
        "overlap");
    refused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "data bytes [0, 4)",
        "belong to no tensor");
    refused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 8), "end at data byte 4",
        "8 data bytes");
    refused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
        + " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "not valid JSON", "'a'");
    refused(file("{\"__metadata__\": {\"n\": 3}}", 0), "__metadata__.n is not a string");
  }

  @Test
  void aValidHandWrittenFileReads() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("{\"__metadata__\": {\"format\": \"pt\"}, \"x\": {\"dtype\": \"I32\", \"shape\": [], \"data_offsets\": [0, 4]}}");
    try (Safetensors.Reader in = Safetensors.open(hadoop(file(lines.get(0), 4)), CONF)) {
      assertThat(in.read("x").ints()).containsExactly(0);
      assertThatThrownBy(() -> in.entry("y")).hasMessageContaining("no tensor 'y'");
    }
  }
}
