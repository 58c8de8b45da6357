package io.sparkvlm.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.synth.SimulatedWeb;
import io.sparkvlm.synth.SyntheticWorld;
import io.sparkvlm.synth.SynthConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest against the simulated web with every fault, on local[2]. */
class IngestJobTest {
  @TempDir static Path dir;
  static Path world;
  static SimulatedWeb web;
  static SparkSession spark;
  /** url -> ground truth row */
  static final Map<String, JsonNode> TRUTH = new HashMap<>();

  static final String[] FAULTS = {"not-found", "server-error", "slow", "hanging", "truncated", "html", "redirect",
      "redirect-refused", "oversized", "decompression-bomb", "noai"};

  @BeforeAll
  static void start() throws Exception {
    spark = SparkTestSessions.local();
    world = dir.resolve("world");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> o = new ArrayList<>(List.of("synth.out=" + world, "synth.scenes=280",
        "synth.web.base-url=\"http://127.0.0.1:" + port + "\"", "synth.web.slow-delay=300ms",
        "synth.web.hang-duration=4s", "synth.web.oversized-bytes=2500000"));
    for (String f : FAULTS) {
      o.add("synth.web.faults." + f + "=0.04");
    }
    SynthConfig synth = SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(), o))));
    SyntheticWorld.generate(spark, synth);
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode t = Json.MAPPER.readTree(line);
      TRUTH.put(t.get("url").asText(), t);
    }
    web = SimulatedWeb.start(world);
  }

  @AfterAll
  static void stop() {
    if (web != null) {
      web.close();
    }
  }

  static Config config(Path out, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "ingest.input.path=" + world.resolve(SyntheticWorld.URLS_PARQUET),
        "ingest.input.format=parquet",
        "ingest.output=" + out,
        "ingest.rows-per-shard=50",
        "ingest.download.allow-cidrs=[\"127.0.0.1/32\"]",
        "ingest.download.timeout=1500ms",
        "ingest.download.connect-timeout=1s",
        "ingest.download.retries=1",
        "ingest.download.backoff=20ms",
        "ingest.download.max-bytes=2000000",
        "ingest.image.size=64",
        "ingest.download.threads=32"));
    o.addAll(List.of(more));
    return ConfigLoader.load(new ConfigSources(List.of(), o));
  }

  static DatasetManifest ingest(Config config) throws Exception {
    IngestJob job = new IngestJob();
    IngestConfig typed = job.readConfig(new ConfigReader(config));
    JobLauncher.execute(job, SparkTestSessions.local(), config, typed);
    return Datasets.readManifest(typed.output(), new Configuration());
  }

  /** The status the simulated web's fault must produce. */
  static String expectedStatus(String fault) {
    return switch (fault) {
      case "NONE", "SLOW", "REDIRECT" -> "success";
      case "NOT_FOUND", "SERVER_ERROR", "HANGING", "OVERSIZED" -> "failed_to_download";
      case "TRUNCATED", "HTML" -> "failed_to_decode";
      case "REDIRECT_REFUSED" -> "refused";
      case "DECOMPRESSION_BOMB" -> "failed_validation";
      case "NOAI" -> "opted_out";
      default -> throw new AssertionError(fault);
    };
  }

  @Test
  void everyRowComesOutOnceWithTheStatusItsFaultDeserves() throws Exception {
    Path out = dir.resolve("pairs");
    DatasetManifest manifest = ingest(config(out));
    List<Row> rows = Datasets.read(spark, out.toString(), PairsSchema.SCHEMA).collectAsList();
    assertThat(rows).hasSize(TRUTH.size());
    assertThat(manifest.rows().total()).isEqualTo(TRUTH.size());
    Map<String, Long> seen = new HashMap<>();
    for (Row r : rows) {
      String url = r.getString(r.fieldIndex(PairsSchema.URL));
      JsonNode truth = TRUTH.get(url);
      String status = r.getString(r.fieldIndex(PairsSchema.STATUS));
      String message = r.isNullAt(r.fieldIndex(PairsSchema.ERROR_MESSAGE)) ? ""
          : r.getString(r.fieldIndex(PairsSchema.ERROR_MESSAGE));
      String fault = truth.get("fault").asText();
      assertThat(status).as(fault + " " + url + " " + message).isEqualTo(expectedStatus(fault));
      seen.merge(fault, 1L, Long::sum);
      switch (fault) {
        case "HANGING" -> assertThat(message).contains("timeout");
        case "OVERSIZED" -> assertThat(message).contains("too large");
        case "REDIRECT_REFUSED" -> assertThat(message).contains("redirect refused").contains("169.254.169.254");
        case "DECOMPRESSION_BOMB" -> assertThat(message).contains("too many pixels").contains("40000x40000");
        case "NOAI" -> assertThat(message).isEqualTo("X-Robots-Tag: noai");
        case "NOT_FOUND" -> assertThat(message).isEqualTo("HTTP 404");
        case "SERVER_ERROR" -> assertThat(message).startsWith("HTTP 500 (after 2 attempts)");
        case "HTML" -> assertThat(message).startsWith("not an image");
        default -> { }
      }
      if (status.equals("success")) {
        byte[] image = (byte[]) r.get(r.fieldIndex(PairsSchema.IMAGE));
        var decoded = ImageIO.read(new ByteArrayInputStream(image));
        assertThat(decoded.getWidth()).isEqualTo(64);
        assertThat(r.getInt(r.fieldIndex(PairsSchema.ORIGINAL_WIDTH))).isEqualTo(64);
        assertThat(r.getString(r.fieldIndex(PairsSchema.CAPTION))).isEqualTo(truth.get("caption").asText().trim());
        assertThat(r.getString(r.fieldIndex(PairsSchema.SHA256))).hasSize(64);
      } else {
        assertThat(r.isNullAt(r.fieldIndex(PairsSchema.IMAGE))).isTrue();
      }
      assertThat(r.getString(r.fieldIndex(PairsSchema.KEY))).matches("\\d{9}");
    }
    assertThat(seen.keySet()).hasSize(12); // every fault was exercised
    // the manifest counts what is in the files
    Map<String, Long> byStatus = new HashMap<>();
    rows.forEach(r -> byStatus.merge(r.getString(r.fieldIndex(PairsSchema.STATUS)), 1L, Long::sum));
    assertThat(manifest.rows().byStatus()).isEqualTo(byStatus);
    // per-shard stats: counts add up to the input
    Path stats = Path.of(out + "-work/stats");
    long counted = 0;
    try (Stream<Path> files = Files.list(stats)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("shard-\\d+\\.json")).toList()) {
        JsonNode s = Json.MAPPER.readTree(f.toFile());
        counted += s.get("count").asLong();
        assertThat(s.get("by_status")).isNotNull();
      }
    }
    assertThat(counted).isEqualTo(TRUTH.size());
  }

  @Test
  void aRerunSkipsDoneShardsAndResumesAnInterruptedRun() throws Exception {
    Path out = dir.resolve("resume");
    ingest(config(out));
    Path work = Path.of(out + "-work");
    byte[] shard0 = Files.readAllBytes(work.resolve("stats/shard-00000.json"));
    // simulate a run that died after shard 0..3: shard 4's stats and parquet gone, output gone, debris left
    Files.delete(work.resolve("stats/shard-00004.json"));
    Files.writeString(work.resolve("shards/_tmp-shard-00004-debris.parquet"), "half a file");
    deleteTree(out);
    long before = web.requests();
    DatasetManifest again = ingest(config(out));
    long requests = web.requests() - before;
    assertThat(again.rows().total()).isEqualTo(TRUTH.size());
    assertThat(Files.readAllBytes(work.resolve("stats/shard-00000.json"))).isEqualTo(shard0); // not redone
    assertThat(work.resolve("stats/shard-00004.json")).exists();
    // only shard 4's rows were fetched again: at most 50 rows x 2 attempts x (1 redirect)
    assertThat(requests).isBetween(1L, 200L);

    // the shards are reused only under the settings they were made with: another image size is refused before any
    // download, naming the key and both values, and the output is left as it was
    byte[] manifest = Files.readAllBytes(out.resolve(DatasetManifest.FILE_NAME));
    long beforeRefused = web.requests();
    assertThatThrownBy(() -> ingest(config(out, "ingest.image.size=32", "output.overwrite=true")))
        .isInstanceOf(io.sparkvlm.core.config.ConfigError.class)
        .hasMessageContaining("ingest.image.size was 64, now 32").hasMessageContaining("finished download shard")
        .hasMessageContaining("set ingest.work to another folder");
    assertThat(web.requests()).isEqualTo(beforeRefused);
    assertThat(Files.readAllBytes(out.resolve(DatasetManifest.FILE_NAME))).isEqualTo(manifest);
    // how downloads are attempted may change between runs, and so may the JPEG library (the same bytes either way)
    assertThat(ingest(config(out, "ingest.download.threads=8", "ingest.image.jpeg-library=opencv",
        "output.overwrite=true")).rows().total()).isEqualTo(TRUTH.size());
    assertThatThrownBy(() -> ingest(config(out, "ingest.image.jpeg-library=libjpeg", "output.overwrite=true")))
        .hasMessageContaining("ingest.image.jpeg-library").hasMessageContaining("[auto, opencv, turbojpeg]");
    assertThatThrownBy(() -> ingest(config(out, "ingest.image.output-format=webp", "output.overwrite=true")))
        .hasMessageContaining("ingest.image.output-format").hasMessageContaining("[jpeg, png]");
  }

  @Test
  void retryFailedRefetchesOnlyFailedDownloads() throws Exception {
    Path out = dir.resolve("retry");
    DatasetManifest first = ingest(config(out));
    long failed = first.rows().byStatus().getOrDefault("failed_to_download", 0L);
    assertThat(failed).isGreaterThan(0);
    assertThatThrownBy(() -> ingest(config(out, "ingest.retry-failed=true")))
        .hasMessageContaining("--retry-failed rewrites it: add --overwrite");
    long before = web.requests();
    DatasetManifest second = ingest(config(out, "ingest.retry-failed=true", "output.overwrite=true"));
    long requests = web.requests() - before;
    assertThat(requests).isBetween(failed, failed * 2); // each failed row once more (twice with its retry)
    assertThat(second.rows().byStatus()).isEqualTo(first.rows().byStatus()); // the faults are permanent
    assertThat(Path.of(out + "-work/retries/attempt-1/stats")).isNotEmptyDirectory();
  }

  @Test
  void aRetriedRowThatNowDownloadsReplacesItsFailureInPlace() throws Exception {
    List<JsonNode> healthyOnes = TRUTH.values().stream().filter(t -> t.get("fault").asText().equals("NONE"))
        .limit(2).toList();
    JsonNode healthy = healthyOnes.get(0);
    byte[] jpeg = Files.readAllBytes(world.resolve(healthyOnes.get(1).get("image").asText())); // another picture
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // nothing listens there during the first run: connection refused
    }
    Path jsonl = dir.resolve("late.jsonl");
    Files.writeString(jsonl, "{\"url\": \"" + healthy.get("url").asText() + "\", \"caption\": \"always there\"}\n"
        + "{\"url\": \"http://127.0.0.1:" + port + "/late.jpg\", \"caption\": \"there the second time\"}\n");
    Path out = dir.resolve("late");
    Config config = config(out, "ingest.input.path=" + jsonl, "ingest.input.format=jsonl");
    assertThat(ingest(config).rows().byStatus()).containsEntry("success", 1L).containsEntry("failed_to_download", 1L);
    Map<String, Row> before = rowsByCaption(out);

    com.sun.net.httpserver.HttpServer late = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 0);
    late.createContext("/late.jpg", x -> {
      x.getResponseHeaders().add("Content-Type", "image/jpeg");
      x.sendResponseHeaders(200, jpeg.length);
      x.getResponseBody().write(jpeg);
      x.close();
    });
    late.start();
    try {
      DatasetManifest second = ingest(config(out, "ingest.input.path=" + jsonl, "ingest.input.format=jsonl",
          "ingest.retry-failed=true", "output.overwrite=true"));
      assertThat(second.rows().total()).isEqualTo(2);
      assertThat(second.rows().byStatus()).containsEntry("success", 2L).doesNotContainKey("failed_to_download");
    } finally {
      late.stop(0);
    }
    Map<String, Row> after = rowsByCaption(out);
    Row retried = after.get("there the second time");
    assertThat(retried.<String>getAs(PairsSchema.KEY))   // the same key: the row replaced, not added
        .isEqualTo(before.get("there the second time").getAs(PairsSchema.KEY));
    assertThat(retried.<String>getAs(PairsSchema.ERROR_MESSAGE)).isNull();
    assertThat(ImageIO.read(new ByteArrayInputStream(retried.getAs(PairsSchema.IMAGE))).getWidth()).isEqualTo(64);
    assertThat(after.get("always there").<String>getAs(PairsSchema.KEY))
        .isEqualTo(before.get("always there").getAs(PairsSchema.KEY));
  }

  private static Map<String, Row> rowsByCaption(Path dataset) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : Datasets.read(spark, dataset.toString(), PairsSchema.SCHEMA).collectAsList()) {
      out.put(r.getAs(PairsSchema.CAPTION), r);
    }
    return out;
  }

  @Test
  void webDatasetShardsNeedNoNetwork() throws Exception {
    Path out = dir.resolve("from-tars");
    long before = web.requests();
    DatasetManifest m = ingest(config(out, "ingest.input.path=" + world.resolve(SyntheticWorld.SHARDS),
        "ingest.input.format=webdataset"));
    assertThat(web.requests()).isEqualTo(before);
    assertThat(m.rows().total()).isEqualTo(TRUTH.size());
    assertThat(m.rows().byStatus()).containsEntry("success", (long) TRUTH.size());
    Row r = Datasets.read(spark, out.toString(), PairsSchema.SCHEMA).orderBy(PairsSchema.KEY).first();
    assertThat(r.getString(r.fieldIndex(PairsSchema.SOURCE))).contains("web-00000.tar#web-");
    assertThat(TRUTH).containsKey(r.getString(r.fieldIndex(PairsSchema.URL)));
  }

  @Test
  void duplicatesAreMarkedAndPointAtTheKeptCopy() throws Exception {
    // a folder with two copies of one image (one re-encoded smaller: a near copy) and one different image
    Path folder = dir.resolve("folder");
    Files.createDirectories(folder.resolve("a"));
    byte[] one = Files.readAllBytes(world.resolve("images/web/web-000000.jpg"));
    byte[] other = Files.readAllBytes(world.resolve("images/web/web-000001.jpg"));
    Files.write(folder.resolve("a/1.jpg"), one);
    Files.write(folder.resolve("a/2.jpg"), one); // exact copy
    var decoded = ImageIO.read(new ByteArrayInputStream(one));
    var smaller = new java.awt.image.BufferedImage(48, 48, java.awt.image.BufferedImage.TYPE_INT_RGB);
    smaller.createGraphics().drawImage(decoded, 0, 0, 48, 48, null);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    ImageIO.write(smaller, "png", png);
    Files.write(folder.resolve("a/3.png"), png.toByteArray()); // near copy
    Files.write(folder.resolve("a/4.jpg"), other);
    Files.writeString(folder.resolve("a/1.txt"), "first &amp; best");
    Path out = dir.resolve("dedup");
    ingest(config(out, "ingest.input.path=" + folder, "ingest.input.format=folder",
        "ingest.dedup.near=true", "ingest.dedup.hamming-threshold=4"));
    List<Row> rows = Datasets.read(spark, out.toString(), PairsSchema.SCHEMA).orderBy(PairsSchema.SOURCE)
        .collectAsList();
    assertThat(rows).hasSize(4);
    String keep = rows.get(0).getString(rows.get(0).fieldIndex(PairsSchema.KEY));
    assertThat(rows.get(0).getString(rows.get(0).fieldIndex(PairsSchema.STATUS))).isEqualTo("success");
    assertThat(rows.get(0).getString(rows.get(0).fieldIndex(PairsSchema.CAPTION))).isEqualTo("first & best");
    assertThat(rows.get(1).getString(rows.get(1).fieldIndex(PairsSchema.STATUS))).isEqualTo("duplicate");
    assertThat(rows.get(1).getString(rows.get(1).fieldIndex(PairsSchema.DUPLICATE_OF))).isEqualTo(keep);
    assertThat(rows.get(1).getString(rows.get(1).fieldIndex(PairsSchema.ERROR_MESSAGE))).startsWith("exact");
    assertThat(rows.get(2).getString(rows.get(2).fieldIndex(PairsSchema.STATUS))).isEqualTo("duplicate");
    assertThat(rows.get(2).getString(rows.get(2).fieldIndex(PairsSchema.ERROR_MESSAGE))).startsWith("near");
    assertThat(rows.get(3).getString(rows.get(3).fieldIndex(PairsSchema.STATUS))).isEqualTo("success");
  }

  /** In a folder, files of a name no image has are invalid_input rows naming them, not left out unseen. */
  @Test
  void folderFilesWithoutAnImageAreInvalidInputRows() throws Exception {
    Path folder = dir.resolve("folder-orphans");
    Files.createDirectories(folder.resolve("sub"));
    byte[] jpeg = Files.readAllBytes(world.resolve("images/web/web-000000.jpg"));
    Files.write(folder.resolve("1.jpg"), jpeg);
    Files.writeString(folder.resolve("1.txt"), "a caption");
    Files.writeString(folder.resolve("1.json"), "{}"); // a sidecar of image 1: part of its sample
    Files.write(folder.resolve("sub/2.tif"), jpeg);     // an extension the reader does not decode
    Files.writeString(folder.resolve("sub/3.txt"), "a caption without its image");
    Path out = dir.resolve("folder-orphans-pairs");
    DatasetManifest m = ingest(config(out, "ingest.input.path=" + folder, "ingest.input.format=folder"));
    assertThat(m.rows().total()).isEqualTo(3);
    assertThat(m.rows().byStatus()).containsEntry("success", 1L).containsEntry("invalid_input", 2L);
    assertThat(Datasets.read(spark, out.toString(), PairsSchema.SCHEMA).collectAsList())
        .filteredOn(r -> "invalid_input".equals(r.getAs(PairsSchema.STATUS)))
        .extracting(r -> r.<String>getAs(PairsSchema.ERROR_MESSAGE))
        .anySatisfy(e -> assertThat(e).contains("no image this reader knows for").contains("sub/2.tif"))
        .anySatisfy(e -> assertThat(e).contains("sub/3.txt"));
  }

  @Test
  void fashionMnistRealImagesIngestFromTheirFolder() throws Exception {
    Path folder = dir.resolve("fashion");
    io.sparkvlm.synth.FashionMnist.write(Path.of(System.getProperty("sparkvlm.fashion-mnist.dir",
        io.sparkvlm.synth.FashionMnist.DEBIAN_DIR.toString())), folder, 15, 7);
    Path out = dir.resolve("fashion-pairs");
    DatasetManifest m = ingest(config(out, "ingest.input.path=" + folder.resolve("images"),
        "ingest.input.format=folder", "ingest.image.resize-mode=no"));
    assertThat(m.rows().total()).isEqualTo(30);
    assertThat(m.rows().byStatus()).containsEntry("success", 30L);
    for (Row r : Datasets.read(spark, out.toString(), PairsSchema.SCHEMA).collectAsList()) {
      String source = r.getString(r.fieldIndex(PairsSchema.SOURCE));
      String folderName = Path.of(source.replace("file:", "")).getParent().getFileName().toString();
      String cls = io.sparkvlm.synth.FashionMnist.CLASSES.stream()
          .filter(c -> c.replace(' ', '-').equals(folderName)).findFirst().orElseThrow();
      assertThat(r.getString(r.fieldIndex(PairsSchema.CAPTION))).contains(cls);
      assertThat(r.getInt(r.fieldIndex(PairsSchema.WIDTH))).isEqualTo(28);
    }
  }

  @Test
  void badInputIsAClearErrorOrAStatusNeverALoss() throws Exception {
    Path jsonl = dir.resolve("urls.jsonl");
    Files.writeString(jsonl, "{\"url\": \"" + web.baseUrl() + "/img/web-000000.jpg\", \"caption\": \"ok\","
        + " \"site\": \"a\"}\n{not json at all\n{\"caption\": \"no url\", \"site\": \"b\"}\n"
        + "{\"url\": \"ftp://example.com/x.jpg\", \"site\": \"c\"}\n"
        // raw spaces and non-ASCII characters, as users' files have them: encoded and fetched
        + "{\"url\": \"" + web.baseUrl() + "/img/web-000001.jpg?from=a café menu\", \"caption\": \"spaces\","
        + " \"site\": \"d\"}\n"
        // no URL at all: invalid input, not a retryable download failure
        + "{\"url\": \"only-one-column\", \"caption\": \"x\", \"site\": \"e\"}\n"
        + "{\"url\": \"http://\", \"caption\": \"x\", \"site\": \"f\"}\n");
    Path out = dir.resolve("bad-input");
    DatasetManifest m = ingest(config(out, "ingest.input.path=" + jsonl, "ingest.input.format=jsonl",
        "ingest.input.carry=[site]"));
    assertThat(m.rows().total()).isEqualTo(7);
    assertThat(m.rows().byStatus()).containsEntry("invalid_input", 4L).containsEntry("refused", 1L)
        .containsEntry("success", 2L);
    List<Row> rows = Datasets.read(spark, out.toString(), PairsSchema.SCHEMA).collectAsList();
    assertThat(rows).extracting(r -> r.isNullAt(r.fieldIndex("site")) ? null : r.getString(r.fieldIndex("site")))
        .containsExactlyInAnyOrder("a", null, "b", "c", "d", "e", "f");
    Row spaced = rows.stream().filter(r -> "d".equals(r.getAs("site"))).findFirst().orElseThrow();
    assertThat(spaced.<String>getAs(PairsSchema.STATUS)).isEqualTo("success");
    assertThat(spaced.<String>getAs(PairsSchema.URL)).contains("a café menu");   // the row keeps what it was given
    assertThatThrownBy(() -> ingest(config(dir.resolve("x"), "ingest.input.path=" + jsonl,
        "ingest.input.format=jsonl", "ingest.input.url-column=link")))
        .hasMessageContaining("has no column 'link'");
  }

  @Test
  void anInputThatIsNotThereOrInTheOtherDelimiterIsAClearErrorBeforeAnyWork() throws Exception {
    Path missing = dir.resolve("no-such-urls.csv");
    Path out = dir.resolve("missing-input");
    assertThatThrownBy(() -> ingest(config(out, "ingest.input.path=" + missing, "ingest.input.format=csv")))
        .isInstanceOf(io.sparkvlm.core.config.ConfigError.class)
        .hasMessageContaining("ingest.input.path").hasMessageContaining("no-such-urls.csv")
        .hasMessageContaining("no such file or folder");
    assertThat(out).doesNotExist();
    Path csv = dir.resolve("urls-with-commas.csv");
    Files.writeString(csv, "url,caption\n" + web.baseUrl() + "/img/web-000000.jpg,a red star\n");
    assertThatThrownBy(() -> ingest(config(dir.resolve("as-tsv"), "ingest.input.path=" + csv,
        "ingest.input.format=tsv")))
        .hasMessageContaining("has no column 'url'")
        .hasMessageContaining("is the input comma-separated (ingest.input.format = csv)?");
  }

  @Test
  void aTsvOrCsvRowWithMoreFieldsThanTheHeaderIsInvalidInputNotACutCaption() throws Exception {
    Path tsv = dir.resolve("urls.tsv");
    Files.writeString(tsv, "url\tcaption\tsite\n"
        + web.baseUrl() + "/img/web-000000.jpg\ta red star\ta\n"
        + web.baseUrl() + "/img/web-000001.jpg\ta caption\twith a stray tab\tb\n");
    Path out = dir.resolve("tsv-extra");
    DatasetManifest m = ingest(config(out, "ingest.input.path=" + tsv, "ingest.input.format=tsv",
        "ingest.input.carry=[site]"));
    assertThat(m.rows().total()).isEqualTo(2);
    assertThat(m.rows().byStatus()).containsEntry("success", 1L).containsEntry("invalid_input", 1L);
    Row bad = Datasets.read(spark, out.toString(), PairsSchema.SCHEMA).collectAsList().stream()
        .filter(r -> r.<String>getAs(PairsSchema.STATUS).equals("invalid_input")).findFirst().orElseThrow();
    assertThat(bad.<String>getAs(PairsSchema.ERROR_MESSAGE)).contains("4 fields where the header has 3");
    Path csv = dir.resolve("urls.csv");
    Files.writeString(csv, "url,caption\n" + web.baseUrl() + "/img/web-000000.jpg,\"a blue, round thing\"\n"
        + web.baseUrl() + "/img/web-000003.jpg,one,two\n");
    DatasetManifest c = ingest(config(dir.resolve("csv-extra"), "ingest.input.path=" + csv,
        "ingest.input.format=csv"));
    assertThat(c.rows().byStatus()).containsEntry("success", 1L).containsEntry("invalid_input", 1L);
  }

  /**
   * A LAION-style list (URL, TEXT) read with the default caption column is refused naming the columns it has, not
   * ingested with every caption empty; named, its captions come through; a list without captions says so with null.
   */
  @Test
  void aCaptionColumnTheInputLacksIsAnErrorAndNullMeansNoCaptions() throws Exception {
    Path laion = dir.resolve("laion-style.csv");
    Files.writeString(laion, "URL,TEXT\n" + web.baseUrl() + "/img/web-000000.jpg,a red star\n");
    Path refused = dir.resolve("laion-default-caption");
    assertThatThrownBy(() -> ingest(config(refused, "ingest.input.path=" + laion, "ingest.input.format=csv",
        "ingest.input.url-column=URL")))
        .hasMessageContaining("has no column 'caption'").hasMessageContaining("[URL, TEXT]")
        .hasMessageContaining("ingest.input.caption-column");
    assertThat(refused).doesNotExist();
    Path named = dir.resolve("laion-named");
    ingest(config(named, "ingest.input.path=" + laion, "ingest.input.format=csv", "ingest.input.url-column=URL",
        "ingest.input.caption-column=TEXT"));
    assertThat(Datasets.read(spark, named.toString(), PairsSchema.SCHEMA).collectAsList())
        .extracting(r -> r.<String>getAs(PairsSchema.CAPTION)).containsExactly("a red star");
    // the same list changed in place: its finished shards are not reused for the new content
    Files.writeString(laion, "URL,TEXT\n" + web.baseUrl() + "/img/web-000001.jpg,a blue circle\n");
    assertThatThrownBy(() -> ingest(config(named, "ingest.input.path=" + laion, "ingest.input.format=csv",
        "ingest.input.url-column=URL", "ingest.input.caption-column=TEXT", "output.overwrite=true")))
        .hasMessageContaining("ingest.input.path (content sha256) was file:");
    // a glob of inputs, as docs/stages/ingest.md allows, is ingested and recorded by the listing it matched
    Path globbed = dir.resolve("laion-glob");
    DatasetManifest g = ingest(config(globbed, "ingest.input.path=" + dir.resolve("laion-sty*.csv"),
        "ingest.input.format=csv", "ingest.input.url-column=URL", "ingest.input.caption-column=TEXT"));
    assertThat(g.rows().total()).isEqualTo(1);
    assertThat(Datasets.read(spark, globbed.toString(), PairsSchema.SCHEMA).collectAsList())
        .extracting(r -> r.<String>getAs(PairsSchema.CAPTION)).containsExactly("a blue circle");
    Path urlsOnly = dir.resolve("urls-only.csv");
    Files.writeString(urlsOnly, "url\n" + web.baseUrl() + "/img/web-000000.jpg\n");
    Path none = dir.resolve("no-captions");
    DatasetManifest m = ingest(config(none, "ingest.input.path=" + urlsOnly, "ingest.input.format=csv",
        "ingest.input.caption-column=null"));
    assertThat(m.rows().byStatus()).containsExactly(java.util.Map.entry("success", 1L));
    assertThat(Datasets.read(spark, none.toString(), PairsSchema.SCHEMA).collectAsList())
        .extracting(r -> r.<String>getAs(PairsSchema.CAPTION)).allMatch(c -> c == null || c.isEmpty());
  }

  /**
   * ingest.input.encoding: a Latin-1 CSV and a windows-1252 JSON-lines file read in their charset give the right
   * captions; read as UTF-8 (the default) their bytes are invalid, and the shard stats count the captions.
   */
  @Test
  void textInputsAreReadInTheirEncodingAndUndecodableBytesAreCounted() throws Exception {
    java.nio.charset.Charset latin1 = java.nio.charset.StandardCharsets.ISO_8859_1;
    Path csv = dir.resolve("latin1.csv");
    Files.write(csv, ("url,caption\n" + web.baseUrl() + "/img/web-000000.jpg,un caf\u00e9 cr\u00e8me\n"
        + web.baseUrl() + "/img/web-000001.jpg,plain ascii caption\n").getBytes(latin1));
    Path right = dir.resolve("latin1-right");
    ingest(config(right, "ingest.input.path=" + csv, "ingest.input.format=csv", "ingest.input.encoding=ISO-8859-1"));
    assertThat(Datasets.read(spark, right.toString(), PairsSchema.SCHEMA).collectAsList().stream()
        .map(r -> r.<String>getAs(PairsSchema.CAPTION))).contains("un caf\u00e9 cr\u00e8me");
    assertThat(ShardFiles.readStats(right + "-work", 0, new Configuration()).undecodableCaptions()).isZero();
    Path wrong = dir.resolve("latin1-as-utf8");
    DatasetManifest m = ingest(config(wrong, "ingest.input.path=" + csv, "ingest.input.format=csv"));
    assertThat(m.rows().total()).isEqualTo(2);
    assertThat(ShardFiles.readStats(wrong + "-work", 0, new Configuration()).undecodableCaptions()).isEqualTo(1);

    Path jsonl = dir.resolve("cp1252.jsonl");
    Files.write(jsonl, ("{\"url\": \"" + web.baseUrl() + "/img/web-000002.jpg\", \"caption\": \"\u201cquoted\u201d "
        + "na\u00efve \u20ac5\"}\n").getBytes(java.nio.charset.Charset.forName("windows-1252")));
    Path json = dir.resolve("cp1252-right");
    ingest(config(json, "ingest.input.path=" + jsonl, "ingest.input.format=jsonl",
        "ingest.input.encoding=windows-1252"));
    assertThat(Datasets.read(spark, json.toString(), PairsSchema.SCHEMA).first().<String>getAs(PairsSchema.CAPTION))
        .isEqualTo("\u201cquoted\u201d na\u00efve \u20ac5");

    assertThatThrownBy(() -> ingest(config(dir.resolve("bad-enc"), "ingest.input.encoding=klingon")))
        .isInstanceOf(io.sparkvlm.core.config.ConfigError.class).hasMessageContaining("ingest.input.encoding")
        .hasMessageContaining("klingon");
  }

  static void deleteTree(Path p) throws Exception {
    if (Files.exists(p)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }
}
