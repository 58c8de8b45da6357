package io.sparkvlm.eval.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML report (opens offline: Chart.js, data and images are inlined): headline numbers, charts
 * drawn by Chart.js, tables, confusion matrices as shaded tables, and image galleries. After rendering, the page
 * records on {@code <body>} how many charts it drew ({@code data-charts-rendered}) and how many images failed
 * to load ({@code data-broken-images}), which the headless-browser test reads.
 */
public final class HtmlReport {
  private final String title;
  private final List<String> sections = new ArrayList<>();
  private final ArrayNode charts = JsonNodeFactory.instance.arrayNode();
  private final StringBuilder headlines = new StringBuilder();

  public HtmlReport(String title) {
    this.title = title;
  }

  public HtmlReport headline(String label, String value) {
    headlines.append("<div class=\"card\"><div class=\"value\">").append(esc(value))
        .append("</div><div class=\"label\">").append(esc(label)).append("</div></div>");
    return this;
  }

  /** A heading over the sections that follow (one part of a report with several). */
  public HtmlReport part(String heading) {
    sections.add("<h2 class=\"part\">" + esc(heading) + "</h2>");
    return this;
  }

  /** A bar chart of {@code values} by label. */
  public HtmlReport barChart(String heading, Map<String, Double> values, String axis) {
    ObjectNode c = chart("bar", heading);
    ArrayNode labels = c.putArray("labels");
    ArrayNode data = c.putArray("data");
    values.forEach((k, v) -> {
      labels.add(k);
      data.add(v);
    });
    c.put("axis", axis);
    return this;
  }

  /** Line chart: x values and named series of y values. */
  public HtmlReport lineChart(String heading, List<Double> x, Map<String, List<Double>> series, String axis) {
    ObjectNode c = chart("line", heading);
    ArrayNode labels = c.putArray("labels");
    x.forEach(labels::add);
    ObjectNode s = c.putObject("series");
    series.forEach((name, ys) -> {
      ArrayNode a = s.putArray(name);
      ys.forEach(a::add);
    });
    c.put("axis", axis);
    return this;
  }

  private ObjectNode chart(String type, String heading) {
    ObjectNode c = charts.addObject();
    String id = "chart" + charts.size();
    c.put("id", id).put("type", type).put("title", heading);
    sections.add("<section><h2>" + esc(heading) + "</h2><div class=\"chart\"><canvas id=\"" + id
        + "\"></canvas></div></section>");
    return c;
  }

  public HtmlReport table(String heading, List<String> headers, List<List<String>> rows) {
    StringBuilder s = new StringBuilder("<section><h2>").append(esc(heading)).append("</h2><table><tr>");
    headers.forEach(h -> s.append("<th>").append(esc(h)).append("</th>"));
    s.append("</tr>");
    for (List<String> r : rows) {
      s.append("<tr>");
      r.forEach(v -> s.append("<td>").append(esc(v)).append("</td>"));
      s.append("</tr>");
    }
    sections.add(s.append("</table></section>").toString());
    return this;
  }

  /** Rows are true classes, columns predicted; cells shaded by their share of the row. */
  public HtmlReport confusionMatrix(String heading, List<String> labels, long[][] counts) {
    StringBuilder s = new StringBuilder("<section><h2>").append(esc(heading))
        .append("</h2><table class=\"matrix\"><tr><th>true \\ predicted</th>");
    labels.forEach(l -> s.append("<th>").append(esc(l)).append("</th>"));
    s.append("</tr>");
    for (int i = 0; i < counts.length; i++) {
      long row = 0;
      for (long c : counts[i]) {
        row += c;
      }
      s.append("<tr><th>").append(esc(labels.get(i))).append("</th>");
      for (long c : counts[i]) {
        double share = row == 0 ? 0 : c / (double) row;
        s.append(String.format("<td style=\"background: rgba(37,99,235,%.2f)\">%d</td>", share, c));
      }
      s.append("</tr>");
    }
    sections.add(s.append("</table></section>").toString());
    return this;
  }

  /** One gallery item: an image (bytes and MIME type) and lines of text under it. */
  public record Item(byte[] image, String mime, List<String> lines) {
    /** An image with its MIME type from its leading bytes (JPEG when unrecognised); null: text only. */
    public static Item of(byte[] image, List<String> lines) {
      if (image == null) {
        return new Item(null, null, lines);
      }
      return new Item(image, io.sparkvlm.core.image.ImageFormat.sniff(image)
          .map(io.sparkvlm.core.image.ImageFormat::mimeType).orElse("image/jpeg"), lines);
    }
  }

  public HtmlReport gallery(String heading, List<Item> items) {
    StringBuilder s = new StringBuilder("<section><h2>").append(esc(heading)).append("</h2><div class=\"gallery\">");
    for (Item it : items) {
      s.append("<figure>");
      if (it.image() != null) {
        s.append("<img alt=\"\" src=\"data:").append(it.mime()).append(";base64,")
            .append(Base64.getEncoder().encodeToString(it.image())).append("\">");
      }
      s.append("<figcaption>");
      it.lines().forEach(l -> s.append("<div>").append(esc(l)).append("</div>"));
      s.append("</figcaption></figure>");
    }
    sections.add(s.append("</div></section>").toString());
    return this;
  }

  public String html() {
    String chartJs = resource("chart.umd.min.js");
    String data;
    try {
      data = Json.MAPPER.writeValueAsString(charts).replace("</", "<\\/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>\n"
        + "<style>" + CSS + "</style>\n<script>" + chartJs + "</script>\n</head>\n<body>\n<h1>" + esc(title)
        + "</h1>\n<div class=\"cards\">" + headlines + "</div>\n" + String.join("\n", sections)
        + "\n<script id=\"chart-data\" type=\"application/json\">" + data + "</script>\n<script>" + SCRIPT
        + "</script>\n</body></html>\n";
  }

  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("report.html");
    Files.writeString(file, html(), StandardCharsets.UTF_8);
    return file;
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing report resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String CSS = String.join("\n",
      "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2937;max-width:1100px}",
      "h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem}",
      "h2.part{font-size:1.35rem;border-bottom:1px solid #ccc}",
      ".cards{display:flex;flex-wrap:wrap;gap:1rem}",
      ".card{border:1px solid #e5e7eb;border-radius:8px;padding:.8rem 1.2rem;min-width:9rem}",
      ".card .value{font-size:1.6rem;font-weight:600}.card .label{color:#6b7280;font-size:.85rem}",
      ".chart{position:relative;height:320px}",
      "table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #e5e7eb;padding:.3rem .6rem;text-align:left}",
      ".matrix td{text-align:right;min-width:2.5rem}",
      ".gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:1rem}",
      "figure{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:.5rem;font-size:.8rem}",
      "figure img{width:100%;image-rendering:pixelated;border-radius:4px}");

  private static final String SCRIPT = String.join("\n",
      "(function(){",
      " var specs = JSON.parse(document.getElementById('chart-data').textContent); var drawn = 0;",
      " var palette = ['#2563eb','#dc2626','#16a34a','#d97706','#7c3aed','#0891b2'];",
      " specs.forEach(function(s){",
      "  var datasets = s.type === 'bar' ? [{label: s.axis, data: s.data, backgroundColor: '#2563eb'}]",
      "    : Object.keys(s.series).map(function(k, i){ return {label: k, data: s.series[k], borderColor: palette[i % 6],",
      "        backgroundColor: palette[i % 6], fill: false, tension: 0.2, pointRadius: 0}; });",
      "  new Chart(document.getElementById(s.id), {type: s.type, data: {labels: s.labels, datasets: datasets},",
      "    options: {animation: false, responsive: true, maintainAspectRatio: false,",
      "      plugins: {legend: {display: s.type !== 'bar'}}, scales: {y: {title: {display: true, text: s.axis}}}}});",
      "  drawn++;",
      " });",
      " document.body.dataset.chartsRendered = drawn;",
      " function checkImages(){ var broken = 0; document.querySelectorAll('img').forEach(function(img){",
      "   if (!img.complete || img.naturalWidth === 0) broken++; }); document.body.dataset.brokenImages = broken; }",
      " if (document.readyState === 'complete') checkImages(); else window.addEventListener('load', checkImages);",
      "})();");
}
