package io.sparkvlm.ingest.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sparkvlm.core.dataset.PairStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The downloader against a real HTTP server on 127.0.0.1, with a stand-in resolver for names that exist only in the
 * test (images.test, ...): the cache is used, answers expire with their TTL, and a rebinding answer is refused.
 */
class DownloaderTest {
  static final byte[] BODY = "not really a jpeg".getBytes(StandardCharsets.UTF_8);
  static final DnsCache.Settings DNS = new DnsCache.Settings(Duration.ofSeconds(60), Duration.ofSeconds(10), 1000);

  HttpServer server;
  int port;
  final List<String> hostHeaders = new CopyOnWriteArrayList<>();
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  /** A resolver stand-in: answers from a table that tests change, counting every lookup per name. */
  final Map<String, InetAddress> table = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
  final DnsCache.Lookup standIn = host -> {
    lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
    InetAddress a = table.get(host);
    if (a == null) {
      throw new UnknownHostException(host);
    }
    return new InetAddress[] {a};
  };

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/img", x -> {
      hostHeaders.add(x.getRequestHeaders().getFirst("Host"));
      respond(x, 200, BODY);
    });
    server.createContext("/to-metadata", x -> {
      x.getResponseHeaders().add("Location", "http://metadata.test/latest/meta-data/");
      respond(x, 302, new byte[0]);
    });
    server.createContext("/endless-noai", x -> {
      x.getResponseHeaders().add("X-Robots-Tag", "noai");
      x.sendResponseHeaders(200, 0); // chunked, never ends
      try (OutputStream out = x.getResponseBody()) {
        byte[] chunk = new byte[64 * 1024];
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < end; ) {
          out.write(chunk);
        }
      } catch (IOException closedByTheClient) {
        // expected: the client stops reading
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    port = server.getAddress().getPort();
    table.put("images.test", InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static void respond(HttpExchange x, int code, byte[] body) throws IOException {
    x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  DnsCache cache(DnsCache.Settings settings) {
    return new DnsCache(settings, standIn, nanos::get);
  }

  static Downloader.Settings settings(Duration timeout) {
    return new Downloader.Settings(Duration.ofSeconds(2), timeout, 0, Duration.ZERO, 1 << 20, 3, "spark-vlm-test",
        List.of("noai"), 4, new UrlGuard(List.of("127.0.0.1/32")), DNS);
  }

  String url(String host, String path) {
    return "http://" + host + ":" + port + path;
  }

  @Test
  void aNameOnlyTheResolverKnowsIsFetchedFromItsCheckedAnswerLookedUpOnce() {
    try (Downloader d = new Downloader(settings(Duration.ofSeconds(10)), cache(DNS))) {
      for (int i = 0; i < 5; i++) {
        Downloader.Outcome o = d.fetch(url("images.test", "/img/" + i + ".jpg"));
        assertThat(o).isInstanceOfSatisfying(Downloader.Fetched.class, f -> assertThat(f.body()).isEqualTo(BODY));
      }
    }
    // the system cannot resolve images.test: the connection went to the stand-in's answer, the request kept the name
    assertThat(hostHeaders).hasSize(5).allSatisfy(h -> assertThat(h).isEqualTo("images.test:" + port));
    assertThat(lookups.get("images.test")).hasValue(1);
  }

  @Test
  void aRebindingAnswerIsRefusedAndNeverConnectedTo() {
    DnsCache dns = cache(DNS);
    try (Downloader d = new Downloader(settings(Duration.ofSeconds(10)), dns)) {
      assertThat(d.fetch(url("images.test", "/img/a.jpg"))).isInstanceOf(Downloader.Fetched.class);
      // the attacker's next answer, once the first has expired, is a private address
      table.put("images.test", address("10.0.0.7"));
      nanos.addAndGet(DNS.ttl().toNanos());
      Downloader.Outcome second = d.fetch(url("images.test", "/img/b.jpg"));
      assertThat(second).isInstanceOfSatisfying(Downloader.Failed.class, f -> {
        assertThat(f.status()).isEqualTo(PairStatus.REFUSED);
        assertThat(f.message()).isEqualTo("refused: images.test resolves to a private address 10.0.0.7");
        assertThat(f.retryable()).isFalse();
      });
    }
    assertThat(hostHeaders).hasSize(1); // only the first request reached a server
    assertThat(lookups.get("images.test")).hasValue(2);
  }

  @Test
  void aRedirectToANameThatResolvesToMetadataIsRefused() {
    table.put("metadata.test", address("169.254.169.254"));
    try (Downloader d = new Downloader(settings(Duration.ofSeconds(10)), cache(DNS))) {
      assertThat(d.fetch(url("images.test", "/to-metadata"))).isInstanceOfSatisfying(Downloader.Failed.class, f -> {
        assertThat(f.status()).isEqualTo(PairStatus.REFUSED);
        assertThat(f.message()).isEqualTo(
            "redirect refused: metadata.test resolves to a link-local address 169.254.169.254");
      });
    }
  }

  @Test
  void anUnknownHostIsAskedOncePerNegativeTtlNotOncePerRow() {
    try (Downloader d = new Downloader(settings(Duration.ofSeconds(10)), cache(DNS))) {
      for (int i = 0; i < 20; i++) {
        assertThat(d.fetch("http://cdn.nowhere.test/p/" + i + ".jpg")).isInstanceOfSatisfying(
            Downloader.Failed.class, f -> {
              assertThat(f.status()).isEqualTo(PairStatus.FAILED_TO_DOWNLOAD);
              assertThat(f.message()).isEqualTo("unknown host cdn.nowhere.test");
              assertThat(f.retryable()).isFalse();
            });
      }
      assertThat(lookups.get("cdn.nowhere.test")).hasValue(1);
      nanos.addAndGet(DNS.negativeTtl().toNanos());
      d.fetch("http://cdn.nowhere.test/p/again.jpg");
      assertThat(lookups.get("cdn.nowhere.test")).hasValue(2);
    }
  }

  @Test
  void anOptedOutEndlessBodyIsNotReadToTheTimeout() {
    Duration timeout = Duration.ofSeconds(20);
    try (Downloader d = new Downloader(settings(timeout), cache(DNS))) {
      long start = System.nanoTime();
      Downloader.Outcome o = d.fetch(url("images.test", "/endless-noai"));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(o).isInstanceOfSatisfying(Downloader.Failed.class,
          f -> assertThat(f.status()).isEqualTo(PairStatus.OPTED_OUT));
      // the request is cancelled, not drained: well under the 20 s deadline even on a slow machine
      assertThat(tookMillis).isLessThan(timeout.toMillis() / 2);
    }
  }

  @Test
  void answersAndUnknownHostsExpireWithTheirTtls() throws Exception {
    DnsCache dns = cache(DNS);
    assertThat(dns.resolve("images.test")).containsExactly(InetAddress.getLoopbackAddress());
    nanos.addAndGet(DNS.ttl().toNanos() - 1);
    dns.resolve("IMAGES.test"); // names are not case-sensitive
    assertThat(lookups.get("images.test")).hasValue(1);
    nanos.addAndGet(1);
    dns.resolve("images.test");
    assertThat(lookups.get("images.test")).hasValue(2);

    assertThatThrownBy(() -> dns.resolve("gone.test")).isInstanceOf(UnknownHostException.class);
    table.put("gone.test", address("93.184.216.34"));
    assertThatThrownBy(() -> dns.resolve("gone.test")).isInstanceOf(UnknownHostException.class); // still negative
    nanos.addAndGet(DNS.negativeTtl().toNanos());
    assertThat(dns.resolve("gone.test")).containsExactly(address("93.184.216.34"));
    assertThat(lookups.get("gone.test")).hasValue(2);
    assertThat(dns.stats()).isEqualTo(new DnsCache.Stats(6, 4));

    DnsCache noNegatives = cache(new DnsCache.Settings(Duration.ofSeconds(60), Duration.ZERO, 1000));
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> noNegatives.resolve("never.test")).isInstanceOf(UnknownHostException.class);
    }
    assertThat(lookups.get("never.test")).hasValue(3);
  }

  @Test
  void concurrentLookupsOfOneNameWaitForOneAnswer() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger slowLookups = new AtomicInteger();
    DnsCache dns = new DnsCache(DNS, host -> {
      slowLookups.incrementAndGet();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      return new InetAddress[] {InetAddress.getLoopbackAddress()};
    }, nanos::get);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<InetAddress[]>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(pool.submit(() -> dns.resolve("cdn.test")));
      }
      Thread.sleep(200);
      release.countDown();
      for (Future<InetAddress[]> a : answers) {
        assertThat(a.get(10, TimeUnit.SECONDS)).containsExactly(InetAddress.getLoopbackAddress());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(slowLookups).hasValue(1);
  }

  @Test
  void theCacheKeepsAtMostItsEntries() throws Exception {
    DnsCache dns = cache(new DnsCache.Settings(Duration.ofSeconds(60), Duration.ofSeconds(60), 3));
    for (int i = 0; i < 10; i++) {
      table.put("h" + i + ".test", InetAddress.getLoopbackAddress());
      dns.resolve("h" + i + ".test");
    }
    dns.resolve("h9.test");
    dns.resolve("h0.test"); // dropped when the cache was full: looked up again
    assertThat(lookups.get("h0.test")).hasValue(2);
  }

  static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
