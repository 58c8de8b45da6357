package io.sparkvlm.interop.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The safetensors format (Hugging Face's): an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"__metadata__": {..}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..}}), then
 * the tensors' bytes, offsets relative to the end of the header. A {@link Reader} checks the whole header before any
 * tensor is read: every field present and typed, a known dtype, offsets in range, each tensor's byte count equal to
 * what its dtype and shape need, no two tensors overlapping and no byte of the data outside every tensor (as the
 * reference implementation requires). Errors name the file and the tensor or header field.
 */
public final class Safetensors {
  public static final String METADATA = "__metadata__";
  /** The reference implementation's limit on the header's size. */
  public static final long MAX_HEADER_BYTES = 100_000_000;
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Safetensors() {}

  /** Where a tensor lies, from the header. */
  public record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

  /** An open safetensors file: its header read and checked; tensors read on request. */
  public static final class Reader implements Closeable {
    private final String where;
    private final FSDataInputStream in;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Reader(String where, FSDataInputStream in, long dataStart, Map<String, Entry> entries,
        Map<String, String> metadata) {
      this.where = where;
      this.in = in;
      this.dataStart = dataStart;
      this.entries = entries;
      this.metadata = metadata;
    }

    /** The tensors in the header's order. */
    public Collection<Entry> entries() {
      return entries.values();
    }

    public Map<String, String> metadata() {
      return metadata;
    }

    public boolean has(String name) {
      return entries.containsKey(name);
    }

    public Entry entry(String name) {
      Entry e = entries.get(name);
      if (e == null) {
        throw new SafetensorsError(where + ": no tensor '" + name + "'");
      }
      return e;
    }

    public Tensor read(String name) throws IOException {
      Entry e = entry(name);
      long length = e.end() - e.begin();
      if (length > Integer.MAX_VALUE - 8) {
        throw new SafetensorsError(where + ": tensor '" + name + "' has " + length + " bytes, more than one Java "
            + "array holds");
      }
      byte[] data = new byte[(int) length];
      in.readFully(dataStart + e.begin(), data);
      return new Tensor(name, e.dtype(), e.shape(), data);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Opens {@code file} (any Hadoop path) and checks its header. */
  public static Reader open(Path file, Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    long size = fs.getFileStatus(file).getLen();
    FSDataInputStream in = fs.open(file);
    try {
      String where = file.toString();
      if (size < 8) {
        throw new SafetensorsError(where + ": " + size + " bytes, not a safetensors file (it starts with an 8-byte "
            + "header length)");
      }
      byte[] lengthBytes = new byte[8];
      in.readFully(0, lengthBytes);
      long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (headerLength < 2 || headerLength > size - 8 || headerLength > MAX_HEADER_BYTES) {
        throw new SafetensorsError(where + ": header length " + Long.toUnsignedString(headerLength) + " is not "
            + "possible in a file of " + size + " bytes (at most " + Math.min(size - 8, MAX_HEADER_BYTES) + ")");
      }
      byte[] header = new byte[(int) headerLength];
      in.readFully(8, header);
      long dataStart = 8 + headerLength;
      Header parsed = parseHeader(where, header, size - dataStart);
      return new Reader(where, in, dataStart, parsed.entries, parsed.metadata);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private record Header(Map<String, Entry> entries, Map<String, String> metadata) {}

  private static Header parseHeader(String where, byte[] header, long dataBytes) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SafetensorsError(where + ": the header is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new SafetensorsError(where + ": the header does not read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsError(where + ": the header is not a JSON object");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode v = field.getValue();
      if (name.equals(METADATA)) {
        if (!v.isObject()) {
          throw new SafetensorsError(where + ": header field " + METADATA + " is not an object of strings");
        }
        v.fields().forEachRemaining(m -> {
          if (!m.getValue().isTextual()) {
            throw new SafetensorsError(where + ": header field " + METADATA + "." + m.getKey() + " is not a string");
          }
          metadata.put(m.getKey(), m.getValue().asText());
        });
        continue;
      }
      entries.put(name, entry(where, name, v, dataBytes));
    }
    List<Entry> byOffset = new ArrayList<>(entries.values());
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long at = 0;
    Entry previous = null;
    for (Entry e : byOffset) {
      if (e.begin() < at) {
        throw new SafetensorsError(where + ": tensors '" + previous.name() + "' [" + previous.begin() + ", "
            + previous.end() + ") and '" + e.name() + "' [" + e.begin() + ", " + e.end() + ") overlap");
      }
      if (e.begin() > at) {
        throw new SafetensorsError(where + ": data bytes [" + at + ", " + e.begin() + ") belong to no tensor (before '"
            + e.name() + "')");
      }
      at = e.end();
      previous = e;
    }
    if (at != dataBytes) {
      throw new SafetensorsError(where + ": the tensors end at data byte " + at + " but the file holds " + dataBytes
          + " data bytes");
    }
    return new Header(entries, metadata);
  }

  private static Entry entry(String where, String name, JsonNode v, long dataBytes) {
    String field = where + ": tensor '" + name + "'";
    if (!v.isObject()) {
      throw new SafetensorsError(field + " is not an object with dtype, shape and data_offsets");
    }
    JsonNode dtype = v.get("dtype");
    if (dtype == null || !dtype.isTextual()) {
      throw new SafetensorsError(field + ": dtype is missing or not a string");
    }
    DType type;
    try {
      type = DType.of(dtype.asText(), name);
    } catch (SafetensorsError e) {
      throw new SafetensorsError(where + ": " + e.getMessage());
    }
    JsonNode shapeNode = v.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new SafetensorsError(field + ": shape is missing or not an array");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new SafetensorsError(field + ": shape[" + i + "] is " + d + ", not a size");
      }
      shape[i] = d.asLong();
    }
    JsonNode offsets = v.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
        || !offsets.get(1).isIntegralNumber()) {
      throw new SafetensorsError(field + ": data_offsets is " + offsets + ", not [begin, end]");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new SafetensorsError(field + ": data_offsets [" + begin + ", " + end + "] are not an ascending range");
    }
    if (end > dataBytes) {
      throw new SafetensorsError(field + ": data_offsets [" + begin + ", " + end + "] go past the data's "
          + dataBytes + " bytes");
    }
    long need;
    try {
      need = Math.multiplyExact(Tensor.elements(shape), type.bytes());
    } catch (ArithmeticException e) {
      throw new SafetensorsError(field + ": shape " + shapeNode + " is too large");
    }
    if (end - begin != need) {
      throw new SafetensorsError(field + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
          + " bytes; dtype " + type + " and shape " + shapeNode + " need " + need);
    }
    v.fieldNames().forEachRemaining(k -> {
      if (!List.of("dtype", "shape", "data_offsets").contains(k)) {
        throw new SafetensorsError(field + ": unknown field '" + k + "'");
      }
    });
    return new Entry(name, type, shape, begin, end);
  }

  /** The file's bytes for {@code tensors} in their order, the header padded with spaces to a multiple of 8. */
  public static void write(List<Tensor> tensors, Map<String, String> metadata, OutputStream out) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = header.putObject(METADATA);
      metadata.forEach(m::put);
    }
    long at = 0;
    for (Tensor t : tensors) {
      if (header.has(t.name()) || t.name().equals(METADATA)) {
        throw new IllegalArgumentException("tensor name '" + t.name() + "' used twice or reserved");
      }
      ObjectNode e = header.putObject(t.name());
      e.put("dtype", t.dtype().name());
      ArrayNode shape = e.putArray("shape");
      for (long s : t.shape()) {
        shape.add(s);
      }
      e.putArray("data_offsets").add(at).add(at + t.data().length);
      at += t.data().length;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] head = new byte[padded];
    java.util.Arrays.fill(head, (byte) ' ');
    System.arraycopy(json, 0, head, 0, json.length);
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
    out.write(head);
    for (Tensor t : tensors) {
      out.write(t.data());
    }
  }

  /** Writes {@code file} whole or not at all: a hidden temporary file beside it, renamed into place. */
  public static void write(List<Tensor> tensors, Map<String, String> metadata, Path file, boolean overwrite,
      Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    if (fs.exists(file) && !overwrite) {
      throw new java.nio.file.FileAlreadyExistsException(file.toString(), null, "already exists; pass --overwrite "
          + "to replace it");
    }
    Path tmp = new Path(file.getParent(), "._tmp-" + file.getName() + "-" + UUID.randomUUID());
    try {
      try (OutputStream out = new java.io.BufferedOutputStream(fs.create(tmp, false), 1 << 20)) {
        write(tensors, metadata, out);
      }
      if (fs.exists(file)) {
        fs.delete(file, false);
      }
      if (!fs.rename(tmp, file)) {
        throw new IOException("Could not rename " + tmp + " to " + file);
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }
}
