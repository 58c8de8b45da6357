package io.sparkvlm.cli.bench;

import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.ingest.IngestJob;
import io.sparkvlm.ingest.image.ImageProcessor;
import io.sparkvlm.ingest.image.OutputFormat;
import io.sparkvlm.ingest.image.JpegLibrary;
import io.sparkvlm.ingest.image.ResizeMode;
import io.sparkvlm.synth.SimulatedWeb;
import io.sparkvlm.synth.SynthConfig;
import io.sparkvlm.synth.SyntheticWorld;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code vlm bench ingest}: (1) decode + border-resize to 256 + JPEG encode of local JPEGs on one thread, at ~500 px
 * and ~1600 px, with and without reduced-scale decoding; (2) ingest end to end from the simulated web on
 * 127.0.0.1 (no faults) on local[*]. Prints a table, writes JSON; also leaves the generated JPEGs in
 * {@code DIR/jpegs-*} so other tools (scripts/bench/opencv_resize.py) can be timed on the same files.
 */
public final class IngestBench {
  private IngestBench() {}

  /** Photo-like test images: 1/f noise (sum of upscaled random grids) in colour, with some hard edges. */
  static BufferedImage photoLike(int w, int h, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] channels = new float[3][w * h];
    for (int c = 0; c < 3; c++) {
      for (int octave = 2; octave <= 256 && octave <= Math.max(w, h); octave *= 2) {
        int gw = octave + 1;
        int gh = Math.max(2, octave * h / w + 1);
        float[] grid = new float[gw * gh];
        for (int i = 0; i < grid.length; i++) {
          grid[i] = (float) r.nextDouble(-1, 1);
        }
        float amp = 120f / octave * 2;
        for (int y = 0; y < h; y++) {
          double gy = y * (gh - 1) / (double) h;
          int y0 = (int) gy;
          double fy = gy - y0;
          for (int x = 0; x < w; x++) {
            double gx = x * (gw - 1) / (double) w;
            int x0 = (int) gx;
            double fx = gx - x0;
            double v = grid[y0 * gw + x0] * (1 - fx) * (1 - fy) + grid[y0 * gw + x0 + 1] * fx * (1 - fy)
                + grid[(y0 + 1) * gw + x0] * (1 - fx) * fy + grid[(y0 + 1) * gw + x0 + 1] * fx * fy;
            channels[c][y * w + x] += (float) (amp * v);
          }
        }
      }
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < w * h; i++) {
      int red = clamp(128 + channels[0][i] + r.nextDouble(-6, 6));
      int green = clamp(118 + channels[1][i] + r.nextDouble(-6, 6));
      int blue = clamp(105 + channels[2][i] + r.nextDouble(-6, 6));
      img.setRGB(i % w, i / w, (red << 16) | (green << 8) | blue);
    }
    return img;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, v));
  }

  static List<byte[]> jpegs(Path dir, int n, int w, int h) throws IOException {
    Files.createDirectories(dir);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path f = dir.resolve(String.format("%03d.jpg", i));
      byte[] b;
      if (Files.exists(f)) {
        b = Files.readAllBytes(f);
      } else {
        b = io.sparkvlm.core.image.ImageCodecs.jpeg(photoLike(w, h, 1000 + i), 90);
        Files.write(f, b);
      }
      out.add(b);
    }
    return out;
  }

  /** Images per second of one thread over {@code images}, median of {@code repeats} passes. */
  static double imagesPerSecond(ImageProcessor p, List<byte[]> images, int repeats) {
    for (byte[] b : images.subList(0, Math.min(3, images.size()))) {
      p.process(b); // warm-up
    }
    double[] rates = new double[repeats];
    for (int k = 0; k < repeats; k++) {
      long start = System.nanoTime();
      for (byte[] b : images) {
        if (!(p.process(b) instanceof ImageProcessor.Processed)) {
          throw new IllegalStateException("bench image rejected");
        }
      }
      rates[k] = images.size() / ((System.nanoTime() - start) / 1e9);
    }
    Arrays.sort(rates);
    return rates[repeats / 2];
  }

  public static int run(Path dir, int images, int scenes, Path json) throws Exception {
    BenchTable table = new BenchTable("ingest benchmark (spark-vlm " + Versions.codeVersion() + ")");
    table.context("cores", Runtime.getRuntime().availableProcessors());
    table.context("java", System.getProperty("java.version"));
    // every JPEG library this JVM has (the system's TurboJPEG only where it loads)
    List<JpegLibrary> libraries = JpegLibrary.AUTO.resolve() == JpegLibrary.TURBOJPEG
        ? List.of(JpegLibrary.OPENCV, JpegLibrary.TURBOJPEG) : List.of(JpegLibrary.OPENCV);
    table.context("jpeg libraries", libraries.stream().map(ConfigReader::configName).toList());
    int[][] sizes = {{500, 375}, {1600, 1200}};
    for (int[] size : sizes) {
      List<byte[]> jpegs = jpegs(dir.resolve("jpegs-" + size[0]), images, size[0], size[1]);
      long bytes = jpegs.stream().mapToLong(b -> b.length).sum() / jpegs.size();
      for (JpegLibrary library : libraries) {
        for (boolean reduced : new boolean[] {false, true}) {
          ImageProcessor p = new ImageProcessor(new ImageProcessor.Settings(ResizeMode.BORDER, 256, false,
              OutputFormat.JPEG, 95, 89_478_485L, 8, 20, reduced, library));
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("part", "decode+resize+encode");
          row.put("jpeg_library", ConfigReader.configName(library));
          row.put("input", size[0] + "x" + size[1] + " jpeg (" + bytes / 1024 + " KiB)");
          row.put("reduced_decode", reduced);
          row.put("images_per_s_per_core", imagesPerSecond(p, jpegs, 3));
          table.add(row);
          System.err.println(table.render());
        }
      }
    }
    table.add(endToEnd(dir, scenes));
    table.printAndWrite(json);
    return JobLauncher.OK;
  }

  private static Map<String, Object> endToEnd(Path dir, int scenes) throws Exception {
    Path world = dir.resolve("world-" + scenes);
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> synthConf = new ArrayList<>(List.of("synth.out=" + world, "synth.scenes=" + scenes,
        "synth.image-size=256", "synth.web.base-url=\"http://127.0.0.1:" + port + "\"", "output.overwrite=true"));
    for (String f : List.of("not-found", "server-error", "slow", "hanging", "truncated", "html", "redirect",
        "redirect-refused", "oversized", "decompression-bomb", "noai")) {
      synthConf.add("synth.web.faults." + f + "=0");
    }
    // the session a user's `vlm ingest` gets (reference config, local[*])
    SparkSession spark = io.sparkvlm.core.spark.SparkSessions.open(io.sparkvlm.core.spark.SparkSettings.from(
        new ConfigReader(ConfigLoader.load(ConfigSources.none()))));
    SyntheticWorld.generate(spark, SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(),
        synthConf)))));
    Path out = dir.resolve("pairs-" + System.nanoTime());
    Config config = ConfigLoader.load(new ConfigSources(List.of(), List.of(
        "ingest.input.path=" + world.resolve(SyntheticWorld.URLS_PARQUET), "ingest.output=" + out,
        "ingest.rows-per-shard=500", "ingest.download.allow-cidrs=[\"127.0.0.1/32\"]", "ingest.image.size=256",
        // one host serves every URL here, unlike a real crawl: let all download threads reach it
        "ingest.download.threads=32", "ingest.download.per-host-concurrency=64")));
    long start;
    DatasetManifest m;
    try (SimulatedWeb web = SimulatedWeb.start(world)) {
      IngestJob job = new IngestJob();
      start = System.nanoTime();
      JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config)));
      m = Datasets.readManifest(out.toString(), new Configuration());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("part", "end to end (local[*], loopback web)");
    row.put("jpeg_library", ConfigReader.configName(JpegLibrary.AUTO.resolve()));
    row.put("input", m.rows().total() + " URLs, 256 px jpeg");
    row.put("reduced_decode", true);
    row.put("images_per_s_per_core", m.rows().total() / seconds / cores);
    row.put("images_per_s", m.rows().total() / seconds);
    row.put("seconds", seconds);
    row.put("status", m.rows().byStatus().toString());
    spark.stop();
    return row;
  }
}
