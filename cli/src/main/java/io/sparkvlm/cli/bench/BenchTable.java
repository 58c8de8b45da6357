package io.sparkvlm.cli.bench;

import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows of named measurements, printed as a table and written as JSON. */
final class BenchTable {
  private final String title;
  private final List<Map<String, Object>> rows = new ArrayList<>();
  private final Map<String, Object> context = new LinkedHashMap<>();

  BenchTable(String title) {
    this.title = title;
  }

  BenchTable context(String key, Object value) {
    context.put(key, value);
    return this;
  }

  void add(Map<String, Object> row) {
    rows.add(new LinkedHashMap<>(row));
  }

  String render() {
    List<String> columns = new ArrayList<>();
    rows.forEach(r -> r.keySet().forEach(k -> {
      if (!columns.contains(k)) {
        columns.add(k);
      }
    }));
    int[] widths = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      widths[i] = columns.get(i).length();
      for (Map<String, Object> r : rows) {
        widths[i] = Math.max(widths[i], format(r.get(columns.get(i))).length());
      }
    }
    StringBuilder s = new StringBuilder(title).append('\n');
    for (int i = 0; i < columns.size(); i++) {
      s.append(String.format("%-" + (widths[i] + 2) + "s", columns.get(i)));
    }
    s.append('\n');
    for (Map<String, Object> r : rows) {
      for (int i = 0; i < columns.size(); i++) {
        s.append(String.format("%-" + (widths[i] + 2) + "s", format(r.get(columns.get(i)))));
      }
      s.append('\n');
    }
    context.forEach((k, v) -> s.append(k).append(": ").append(v).append('\n'));
    return s.toString();
  }

  static String format(Object v) {
    if (v instanceof Double d) {
      return d >= 100 ? String.format("%.0f", d) : String.format("%.2f", d);
    }
    return v == null ? "" : v.toString();
  }

  /** The finished table on stdout, then the JSON written to {@code json} and where it is. */
  void printAndWrite(Path json) throws IOException {
    System.out.println(render());
    write(json);
    System.out.println("wrote " + json);
  }

  void write(Path json) throws IOException {
    Files.createDirectories(json.toAbsolutePath().getParent());
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", title);
    doc.put("context", context);
    doc.put("rows", rows);
    Files.write(json, Json.MAPPER.writeValueAsBytes(doc));
  }
}
