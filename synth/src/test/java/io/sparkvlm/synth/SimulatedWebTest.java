package io.sparkvlm.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated web really produces each fault, over real HTTP on 127.0.0.1. */
class SimulatedWebTest {
  @TempDir static Path dir;
  static SimulatedWeb web;
  static Path world;
  static final Map<WebFault, String> URL_OF = new EnumMap<>(WebFault.class);
  static final Map<WebFault, String> ID_OF = new EnumMap<>(WebFault.class);
  static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    world = dir.resolve("world");
    int port = Worlds.freePort();
    Worlds.generate(world, "synth.scenes=400", "synth.web.base-url=\"http://127.0.0.1:" + port + "\"",
        "synth.web.slow-delay=400ms", "synth.web.hang-duration=5s", "synth.web.oversized-bytes=3000000",
        "synth.web.faults.not-found=0.06", "synth.web.faults.server-error=0.06", "synth.web.faults.slow=0.06",
        "synth.web.faults.hanging=0.06", "synth.web.faults.truncated=0.06", "synth.web.faults.html=0.06",
        "synth.web.faults.redirect=0.06", "synth.web.faults.redirect-refused=0.06",
        "synth.web.faults.oversized=0.06", "synth.web.faults.decompression-bomb=0.06", "synth.web.faults.noai=0.06");
    for (String line : Files.readAllLines(world.resolve(SyntheticWorld.WEB_TRUTH))) {
      JsonNode t = Json.MAPPER.readTree(line);
      WebFault f = WebFault.valueOf(t.get("fault").asText());
      URL_OF.putIfAbsent(f, t.get("url").asText());
      ID_OF.putIfAbsent(f, t.get("scene_id").asText());
    }
    assertThat(URL_OF.keySet()).containsExactlyInAnyOrder(WebFault.values());
    web = SimulatedWeb.start(world);
    assertThat(web.baseUrl()).isEqualTo("http://127.0.0.1:" + port);
  }

  @AfterAll
  static void stop() {
    if (web != null) {
      web.close();
    }
  }

  static HttpResponse<byte[]> get(WebFault fault) throws Exception {
    return get(URL_OF.get(fault), Duration.ofSeconds(20));
  }

  static HttpResponse<byte[]> get(String url, Duration timeout) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static byte[] image(WebFault fault) throws Exception {
    return Files.readAllBytes(world.resolve("images/web/" + ID_OF.get(fault) + ".jpg"));
  }

  @Test
  void repliesAreNotHeldBackByNagle() {
    // without TCP_NODELAY each reply on a kept-alive connection waited ~40 ms for the client's delayed ACK
    assertThat(System.getProperty(SimulatedWeb.NODELAY_PROPERTY)).isEqualTo("true");
  }

  @Test
  void healthyUrlsServeTheJpeg() throws Exception {
    HttpResponse<byte[]> r = get(WebFault.NONE);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("image/jpeg");
    assertThat(r.body()).isEqualTo(image(WebFault.NONE));
  }

  @Test
  void errorsAndHtml() throws Exception {
    assertThat(get(WebFault.NOT_FOUND).statusCode()).isEqualTo(404);
    assertThat(get(WebFault.SERVER_ERROR).statusCode()).isEqualTo(500);
    HttpResponse<byte[]> html = get(WebFault.HTML);
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(new String(html.body())).startsWith("<!doctype html>");
    assertThat(get(web.baseUrl() + "/img/no-such-image.jpg", Duration.ofSeconds(5)).statusCode()).isEqualTo(404);
  }

  @Test
  void slowResponsesArriveLateAndHangingOnesNever() throws Exception {
    long start = System.nanoTime();
    HttpResponse<byte[]> slow = get(WebFault.SLOW);
    assertThat((System.nanoTime() - start) / 1e6).isGreaterThanOrEqualTo(400);
    assertThat(slow.body()).isEqualTo(image(WebFault.SLOW));
    // headers arrive, the body never does: only a client with a read deadline gets out
    HttpRequest hanging = HttpRequest.newBuilder(URI.create(URL_OF.get(WebFault.HANGING))).build();
    assertThatThrownBy(() -> HTTP.sendAsync(hanging, HttpResponse.BodyHandlers.ofByteArray())
        .get(1500, java.util.concurrent.TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
  }

  @Test
  void truncatedImagesHaveHalfTheBytesAndDoNotDecodeWhole() throws Exception {
    HttpResponse<byte[]> r = get(WebFault.TRUNCATED);
    byte[] full = image(WebFault.TRUNCATED);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(full.length / 2);
    assertThat(java.util.Arrays.equals(r.body(), 0, r.body().length, full, 0, r.body().length)).isTrue();
    // no end-of-image marker
    byte[] b = r.body();
    assertThat(b[b.length - 2] == (byte) 0xFF && b[b.length - 1] == (byte) 0xD9).isFalse();
  }

  @Test
  void redirectsStayOnTheServerOrPointAtAnAddressADownloaderMustRefuse() throws Exception {
    HttpResponse<byte[]> r = get(WebFault.REDIRECT);
    assertThat(r.statusCode()).isEqualTo(302);
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/moved/");
    HttpResponse<byte[]> target = get(web.baseUrl() + location, Duration.ofSeconds(5));
    assertThat(target.statusCode()).isEqualTo(200);
    assertThat(target.body()).isEqualTo(image(WebFault.REDIRECT));

    HttpResponse<byte[]> refused = get(WebFault.REDIRECT_REFUSED);
    assertThat(refused.statusCode()).isEqualTo(302);
    // link-local (cloud metadata): never followed here, and ingest must refuse it
    assertThat(URI.create(refused.headers().firstValue("Location").orElseThrow()).getHost())
        .isEqualTo("169.254.169.254");
  }

  @Test
  void oversizedResponsesAreAsLargeAsConfiguredAndStartWithAValidJpeg() throws Exception {
    HttpResponse<byte[]> r = get(WebFault.OVERSIZED);
    assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(3_000_000L);
    assertThat(r.body()).hasSize(3_000_000);
    assertThat(ImageIO.read(new ByteArrayInputStream(r.body()))).isNotNull();
  }

  @Test
  void decompressionBombsClaimFortyThousandPixelsSquare() throws Exception {
    HttpResponse<byte[]> r = get(WebFault.DECOMPRESSION_BOMB);
    assertThat(r.headers().firstValue("Content-Type")).contains("image/png");
    assertThat(r.body().length).isLessThan(200_000);
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(r.body()))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      ImageReader reader = readers.next();
      reader.setInput(in);
      assertThat(reader.getWidth(0)).isEqualTo(40_000); // read from the header, without decoding
      assertThat(reader.getHeight(0)).isEqualTo(40_000);
    }
  }

  @Test
  void noaiImagesCarryTheOptOutHeader() throws Exception {
    HttpResponse<byte[]> r = get(WebFault.NOAI);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Robots-Tag").orElseThrow()).contains("noai").contains("noimageai");
    assertThat(r.body()).isEqualTo(image(WebFault.NOAI));
  }
}
