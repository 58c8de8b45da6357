package io.sparkvlm.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sparkvlm.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated web: serves a synthetic world's web images over HTTP on 127.0.0.1, injecting the fault that
 * synth assigned to each URL ({@code ground-truth/web.jsonl}). Paths: {@code /img/ID.jpg} (the URL lists point
 * here), {@code /moved/ID.jpg} (redirect targets), {@code /robots.txt}.
 */
public final class SimulatedWeb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedWeb.class);
  static final String METADATA_HOST = "169.254.169.254";
  static final int BOMB_SIDE = 40_000;

  private final HttpServer server;
  private final ExecutorService executor;
  private final Path root;
  private final Map<String, WebFault> faults;
  private final Duration slowDelay;
  private final Duration hangDuration;
  private final long oversizedBytes;
  private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

  private SimulatedWeb(HttpServer server, ExecutorService executor, Path root, Map<String, WebFault> faults,
      Duration slowDelay, Duration hangDuration, long oversizedBytes) {
    this.server = server;
    this.executor = executor;
    this.root = root;
    this.faults = faults;
    this.slowDelay = slowDelay;
    this.hangDuration = hangDuration;
    this.oversizedBytes = oversizedBytes;
  }

  /** The JDK HTTP server's switch for TCP_NODELAY on its connections. */
  static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  /** Serves the world at {@code worldDir} on the port of its base URL (see {@code world.json}). */
  public static SimulatedWeb start(Path worldDir) {
    return start(worldDir, -1);
  }

  /** Serves the world at {@code worldDir} on {@code port}, or on its base URL's port when {@code port < 0}. */
  public static SimulatedWeb start(Path worldDir, int port) {
    try {
      JsonNode world = Json.MAPPER.readTree(worldDir.resolve(SyntheticWorld.MANIFEST).toFile());
      JsonNode web = world.path("config").path("web");
      int bindPort = port >= 0 ? port : URI.create(web.path("base_url").asText()).getPort();
      Map<String, WebFault> faults = new HashMap<>();
      for (String line : Files.readAllLines(worldDir.resolve(SyntheticWorld.WEB_TRUTH))) {
        if (!line.isBlank()) {
          JsonNode row = Json.MAPPER.readTree(line);
          faults.put(row.get("scene_id").asText(), WebFault.valueOf(row.get("fault").asText()));
        }
      }
      // Replies go out as they are written, as web servers send them (nginx's tcp_nodelay is on by default). The JDK's
      // server otherwise leaves Nagle's algorithm on, and on a kept-alive connection each reply's last segment waits
      // for the client's delayed ACK: about 40 ms per image (measured: 44 ms against 0.7 ms). The JDK reads this
      // property once, when its first server starts; set on the command line it is left as given.
      if (System.getProperty(NODELAY_PROPERTY) == null) {
        System.setProperty(NODELAY_PROPERTY, "true");
      }
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort), 256);
      ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "simulated-web");
        t.setDaemon(true);
        return t;
      });
      server.setExecutor(executor);
      SimulatedWeb web1 = new SimulatedWeb(server, executor, worldDir, faults,
          Duration.ofMillis(web.path("slow_delay_ms").asLong(2000)),
          Duration.ofMillis(web.path("hang_duration_ms").asLong(30000)),
          web.path("oversized_bytes").asLong(12L << 20));
      server.createContext("/", web1::handle);
      server.start();
      LOG.info("simulated web serving {} images from {} at {}", faults.size(), worldDir, web1.baseUrl());
      return web1;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the simulated web for " + worldDir, e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests served so far (for tests that check what a client asked for). */
  public long requests() {
    return requests.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/robots.txt")) {
        send(ex, 200, "text/plain", "User-agent: *\nAllow: /\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      boolean moved = path.startsWith("/moved/");
      if (!(path.startsWith("/img/") || moved) || !path.endsWith(".jpg")) {
        send(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String id = path.substring(path.lastIndexOf('/') + 1, path.length() - ".jpg".length());
      WebFault fault = faults.get(id);
      Path image = root.resolve("images").resolve(Splits.WEB).resolve(id + ".jpg");
      if (fault == null || !Files.exists(image)) {
        send(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (moved) {
        fault = WebFault.NONE; // a redirect's target is healthy
      }
      byte[] jpeg = Files.readAllBytes(image);
      switch (fault) {
        case NONE -> send(ex, 200, "image/jpeg", jpeg);
        case NOT_FOUND -> send(ex, 404, "text/html", html("404 Not Found"));
        case SERVER_ERROR -> send(ex, 500, "text/html", html("500 Internal Server Error"));
        case SLOW -> {
          sleep(slowDelay);
          send(ex, 200, "image/jpeg", jpeg);
        }
        case HANGING -> {
          ex.getResponseHeaders().set("Content-Type", "image/jpeg");
          ex.sendResponseHeaders(200, jpeg.length);
          ex.getResponseBody().flush();
          sleep(hangDuration);
        }
        case TRUNCATED -> send(ex, 200, "image/jpeg", java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        case HTML -> send(ex, 200, "text/html; charset=utf-8", html("Welcome! This page has moved."));
        case REDIRECT -> redirect(ex, "/moved/" + id + ".jpg");
        case REDIRECT_REFUSED -> redirect(ex, "http://" + METADATA_HOST + "/latest/meta-data/" + id + ".jpg");
        case OVERSIZED -> sendPadded(ex, jpeg, oversizedBytes);
        case DECOMPRESSION_BOMB -> send(ex, 200, "image/png", bombPng());
        case NOAI -> {
          ex.getResponseHeaders().set("X-Robots-Tag", "noai, noimageai");
          send(ex, 200, "image/jpeg", jpeg);
        }
      }
    } catch (IOException e) {
      LOG.debug("client went away: {}", e.toString());
    }
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().set("Location", location);
    ex.sendResponseHeaders(302, -1);
  }

  /** The JPEG followed by zero bytes up to {@code total} (decoders ignore data after the end-of-image marker). */
  private static void sendPadded(HttpExchange ex, byte[] jpeg, long total) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "image/jpeg");
    ex.sendResponseHeaders(200, total);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(jpeg);
      byte[] zeros = new byte[64 * 1024];
      long left = total - jpeg.length;
      while (left > 0) {
        int n = (int) Math.min(zeros.length, left);
        out.write(zeros, 0, n);
        left -= n;
      }
    }
  }

  private static byte[] html(String title) {
    return ("<!doctype html><html><head><title>" + title + "</title></head><body><h1>" + title
        + "</h1></body></html>\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A PNG whose header claims {@value #BOMB_SIDE}x{@value #BOMB_SIDE} 8-bit grey pixels (1.6 GB decoded) followed
   * by the first compressed rows only: a decoder that trusts the header allocates gigabytes.
   */
  static byte[] bombPng() {
    try {
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(png);
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
      ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
      DataOutputStream h = new DataOutputStream(ihdr);
      h.writeInt(BOMB_SIDE);
      h.writeInt(BOMB_SIDE);
      h.writeByte(8); // bit depth
      h.writeByte(0); // greyscale
      h.writeByte(0);
      h.writeByte(0);
      h.writeByte(0);
      chunk(out, "IHDR", ihdr.toByteArray());
      ByteArrayOutputStream idat = new ByteArrayOutputStream();
      try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
        byte[] row = new byte[BOMB_SIDE + 1]; // filter byte + pixels
        for (int i = 0; i < 64; i++) {
          z.write(row);
        }
      }
      chunk(out, "IDAT", idat.toByteArray());
      chunk(out, "IEND", new byte[0]);
      return png.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    out.writeInt(data.length);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
