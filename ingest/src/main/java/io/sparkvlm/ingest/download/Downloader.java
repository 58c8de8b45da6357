package io.sparkvlm.ingest.download;

import io.sparkvlm.core.dataset.PairStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches one URL the way a polite, careful crawler does: a User-Agent; connect and read timeouts plus a deadline
 * for the whole response; redirects followed by hand, each target checked by the {@link UrlGuard}; the
 * X-Robots-Tag checked before the body is read; responses larger than the maximum refused (by Content-Length, and
 * by counting); bounded retries with exponential backoff and jitter for failures that may pass (timeouts,
 * connection errors, 408, 429, 5xx); at most {@code perHostConcurrency} requests at a time to one host from this
 * JVM. Names are resolved once through the executor's {@link DnsCache} and checked by the guard in the
 * {@link GuardedResolver}, and the connection goes to the checked address (no second lookup). Keep-alive connections
 * are reused once a body has been read to the end. Thread-safe: one instance serves a task's download threads;
 * closing it closes its connections.
 */
public final class Downloader implements AutoCloseable {

  /**
   * @param connectTimeout TCP connect timeout
   * @param timeout deadline for one attempt, headers and body; also the read timeout
   * @param retries attempts after the first for retryable failures
   * @param backoff first backoff; doubled each retry, with +-50% jitter
   * @param maxBytes largest body accepted
   * @param maxRedirects redirects followed
   * @param userAgent User-Agent header
   * @param optOutDirectives X-Robots-Tag directives that opt out (lower case), e.g. noai
   * @param perHostConcurrency concurrent requests to one host from one JVM
   * @param guard the SSRF guard
   * @param dns how long name lookups are kept
   */
  public record Settings(Duration connectTimeout, Duration timeout, int retries, Duration backoff, long maxBytes,
      int maxRedirects, String userAgent, List<String> optOutDirectives, int perHostConcurrency, UrlGuard guard,
      DnsCache.Settings dns) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** What a fetch gave. */
  public sealed interface Outcome permits Fetched, Failed {}

  /** The body of a 200 response. */
  public record Fetched(byte[] body, String contentType, String finalUrl, int attempts) implements Outcome {}

  /** Why there is no body; {@code status} is one of the download statuses. */
  public record Failed(PairStatus status, String message, boolean retryable) implements Outcome {}

  private static final Map<String, Semaphore> HOSTS = new ConcurrentHashMap<>();

  /** Bytes of an unwanted body (redirect, error) read so that its connection can be reused; past it, closed. */
  private static final int DRAIN_BYTES = 64 * 1024;

  private final Settings s;
  private final DnsCache dns;
  private final GuardedResolver resolver;
  private final CloseableHttpClient client;

  /** A downloader on this executor's shared {@link DnsCache} and the system resolver. */
  public Downloader(Settings settings) {
    this(settings, DnsCache.perJvm(settings.dns()));
  }

  /** A downloader resolving names through {@code dns} (tests give it a stand-in resolver). */
  public Downloader(Settings settings, DnsCache dns) {
    this.s = settings;
    this.dns = dns;
    this.resolver = new GuardedResolver(dns, settings.guard());
    ConnectionConfig connection = ConnectionConfig.custom()
        .setConnectTimeout(Timeout.of(settings.connectTimeout()))
        .setSocketTimeout(Timeout.of(settings.timeout()))
        .build();
    this.client = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setDnsResolver(resolver)
            .setDefaultConnectionConfig(connection)
            .setMaxConnPerRoute(settings.perHostConcurrency())
            .setMaxConnTotal(Math.max(64, settings.perHostConcurrency()))
            .build())
        .setUserAgent(settings.userAgent())
        .disableRedirectHandling()      // followed by hand, each target checked
        .disableAutomaticRetries()      // retried by hand, with backoff, for what may pass
        .disableContentCompression()    // bytes counted as they come; no gzip bombs
        .disableCookieManagement()
        .build();
  }

  /** The counts of the name cache this downloader resolves through (shared by an executor's tasks). */
  public DnsCache.Stats dnsStats() {
    return dns.stats();
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException ignored) {
      // closing idle keep-alive connections: nothing to report
    }
  }

  /** Fetches an input row's URL ({@link WebUrls}: percent-encoded as browsers do; not a URL is invalid input). */
  public Outcome fetch(String url) {
    WebUrls.Parsed parsed = WebUrls.parse(url);
    if (parsed instanceof WebUrls.Invalid invalid) {
      return new Failed(PairStatus.INVALID_INPUT, invalid.reason(), false);
    }
    URI uri = ((WebUrls.Valid) parsed).uri();
    Outcome last = null;
    for (int attempt = 0; attempt <= s.retries(); attempt++) {
      if (attempt > 0) {
        long base = s.backoff().toMillis() << (attempt - 1);
        sleep((long) (base * (0.5 + ThreadLocalRandom.current().nextDouble())));
      }
      last = attempt(uri, attempt + 1);
      if (last instanceof Fetched || !((Failed) last).retryable()) {
        return last;
      }
    }
    Failed f = (Failed) last;
    return new Failed(f.status(), f.message() + " (after " + (s.retries() + 1) + " attempts)", true);
  }

  private Outcome attempt(URI start, int attemptNumber) {
    long deadline = System.nanoTime() + s.timeout().toNanos();
    URI uri = start;
    for (int redirects = 0; ; redirects++) {
      String refusedPrefix = redirects > 0 ? "redirect refused: " : "refused: ";
      Optional<String> refusal = s.guard().uriRefusal(uri);
      if (refusal.isPresent()) {
        return new Failed(PairStatus.REFUSED, refusedPrefix + refusal.get(), false);
      }
      String host = uri.getHost().toLowerCase(Locale.ROOT) + ":" + uri.getPort();
      Semaphore slot = HOSTS.computeIfAbsent(host, h -> new Semaphore(s.perHostConcurrency(), true));
      try {
        slot.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "interrupted", true);
      }
      try {
        Hop hop = exchange(uri, deadline, attemptNumber);
        if (hop instanceof Redirect r) {
          if (redirects >= s.maxRedirects()) {
            return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "too many redirects (> " + s.maxRedirects() + ")",
                false);
          }
          uri = r.target();
          continue;
        }
        return ((Answered) hop).outcome();
      } catch (GuardedResolver.AddressRefusedException e) {
        return new Failed(PairStatus.REFUSED, refusedPrefix + e.getMessage(), false);
      } catch (UnknownHostException e) {
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "unknown host " + e.getMessage(), false);
      } catch (InterruptedIOException e) { // connect, read and response timeouts
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "timeout: " + e.getMessage(), true);
      } catch (DeadlineException e) {
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "timeout: no complete response within "
            + s.timeout().toMillis() + " ms", true);
      } catch (IllegalArgumentException e) {
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "bad URL: " + e.getMessage(), false);
      } catch (IOException e) {
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, e.getClass().getSimpleName() + ": " + e.getMessage(), true);
      } finally {
        slot.release();
      }
    }
  }

  /** What one request gave: an outcome, or a redirect to follow. */
  private sealed interface Hop permits Answered, Redirect {}

  private record Answered(Outcome outcome) implements Hop {}

  private record Redirect(URI target) implements Hop {}

  /**
   * One request and its response. The name is resolved and checked first, so a refused or unknown host never gets
   * a connection; the client then connects to that same cached, checked answer. A body left unread (opted out, too
   * large, past the deadline) is not drained: the request is cancelled, which closes its connection.
   */
  private Hop exchange(URI uri, long deadline, int attemptNumber) throws IOException, DeadlineException {
    resolver.resolve(uri.getHost());
    HttpGet get = new HttpGet(uri);
    get.setConfig(RequestConfig.custom()
        .setResponseTimeout(Timeout.ofMilliseconds(Math.max(1, remainingMillis(deadline))))
        .setConnectionRequestTimeout(Timeout.of(s.timeout()))
        .build());
    get.addHeader("Accept", "image/*, */*;q=0.5");
    ClassicHttpResponse response = client.executeOpen(HttpHost.create(uri), get, null);
    boolean readToEnd = false;
    try {
      int code = response.getCode();
      HttpEntity entity = response.getEntity();
      if (code >= 300 && code < 400) {
        Header location = response.getFirstHeader("Location");
        readToEnd = drain(entity);
        if (location == null) {
          return new Answered(new Failed(PairStatus.FAILED_TO_DOWNLOAD, "HTTP " + code + " without Location",
              false));
        }
        return new Redirect(uri.resolve(location.getValue().trim()));
      }
      Optional<String> optOut = optOut(headerValues(response.getHeaders("X-Robots-Tag")));
      if (optOut.isPresent()) {
        return new Answered(new Failed(PairStatus.OPTED_OUT, "X-Robots-Tag: " + optOut.get(), false));
      }
      if (code != 200) {
        readToEnd = drain(entity);
        boolean retryable = code == 408 || code == 429 || code >= 500;
        return new Answered(new Failed(PairStatus.FAILED_TO_DOWNLOAD, "HTTP " + code, retryable));
      }
      if (entity == null) {
        readToEnd = true;
        return new Answered(new Fetched(new byte[0], null, uri.toString(), attemptNumber));
      }
      long length = entity.getContentLength();
      if (length > s.maxBytes()) {
        return new Answered(new Failed(PairStatus.FAILED_TO_DOWNLOAD, "response too large: Content-Length "
            + length + " > " + s.maxBytes() + " bytes", false));
      }
      byte[] body = readBody(entity, deadline);
      if (body == null) {
        return new Answered(new Failed(PairStatus.FAILED_TO_DOWNLOAD, "response too large: more than "
            + s.maxBytes() + " bytes", false));
      }
      readToEnd = true;
      return new Answered(new Fetched(body, entity.getContentType(), uri.toString(), attemptNumber));
    } finally {
      if (!readToEnd) {
        get.cancel(); // closes the connection at once: nothing more is read from it
      }
      closeQuietly(response);
    }
  }

  private static void closeQuietly(ClassicHttpResponse response) {
    try {
      response.close();
    } catch (IOException ignored) {
      // a cancelled exchange's connection is already closed
    }
  }

  private static List<String> headerValues(Header[] headers) {
    List<String> values = new ArrayList<>(headers.length);
    for (Header h : headers) {
      values.add(h.getValue());
    }
    return values;
  }

  /** The first opt-out directive in the X-Robots-Tag headers ("noai", "googlebot: noindex, noai", ...). */
  Optional<String> optOut(List<String> headers) {
    if (headers == null) {
      return Optional.empty();
    }
    for (String header : headers) {
      for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
        String directive = part.trim();
        int colon = directive.lastIndexOf(':');
        if (colon >= 0) {
          directive = directive.substring(colon + 1).trim(); // "googlebot: noai"
        }
        if (s.optOutDirectives().contains(directive)) {
          return Optional.of(directive);
        }
      }
    }
    return Optional.empty();
  }

  /** The whole body, or null past {@code maxBytes} (then the rest is left unread). */
  private byte[] readBody(HttpEntity entity, long deadline) throws IOException, DeadlineException {
    InputStream in = entity.getContent();
    ByteArrayOutputStream out = new ByteArrayOutputStream(
        (int) Math.min(Math.max(entity.getContentLength(), 8192), s.maxBytes()));
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      total += n;
      if (total > s.maxBytes()) {
        return null;
      }
      out.write(buf, 0, n);
      if (remainingMillis(deadline) <= 0) {
        throw new DeadlineException();
      }
    }
    in.close(); // at its end: the connection goes back to the pool
    return out.toByteArray();
  }

  /**
   * Reads a small unwanted body (a redirect's, an error page) to its end so that its connection can be reused;
   * false when it is larger than {@link #DRAIN_BYTES}, which is left unread.
   */
  private static boolean drain(HttpEntity entity) throws IOException {
    if (entity == null) {
      return true;
    }
    if (entity.getContentLength() > DRAIN_BYTES) {
      return false;
    }
    InputStream in = entity.getContent();
    if (in.readNBytes(DRAIN_BYTES + 1).length > DRAIN_BYTES) {
      return false;
    }
    in.close();
    return true;
  }

  private static long remainingMillis(long deadline) {
    return (deadline - System.nanoTime()) / 1_000_000;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class DeadlineException extends Exception {
    private static final long serialVersionUID = 1L;
  }
}
