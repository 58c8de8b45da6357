package io.sparkvlm.ingest.download;

import io.sparkvlm.core.dataset.PairStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fetches one URL the way a polite, careful crawler does: a User-Agent; connect and read timeouts plus a deadline
 * for the whole response; redirects followed by hand, each target checked by the {@link UrlGuard}; the
 * X-Robots-Tag checked before the body is read; responses larger than the maximum refused (by Content-Length, and
 * by counting); bounded retries with exponential backoff and jitter for failures that may pass (timeouts,
 * connection errors, 408, 429, 5xx); at most {@code perHostConcurrency} requests at a time to one host from this
 * JVM. Keep-alive connections are reused (HttpURLConnection pools them once a body has been read to the end).
 * Thread-safe: one instance serves a task's download threads.
 */
public final class Downloader {

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
   */
  public record Settings(Duration connectTimeout, Duration timeout, int retries, Duration backoff, long maxBytes,
      int maxRedirects, String userAgent, List<String> optOutDirectives, int perHostConcurrency, UrlGuard guard)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** What a fetch gave. */
  public sealed interface Outcome permits Fetched, Failed {}

  /** The body of a 200 response. */
  public record Fetched(byte[] body, String contentType, String finalUrl, int attempts) implements Outcome {}

  /** Why there is no body; {@code status} is one of the download statuses. */
  public record Failed(PairStatus status, String message, boolean retryable) implements Outcome {}

  private static final Map<String, Semaphore> HOSTS = new ConcurrentHashMap<>();

  private final Settings s;

  public Downloader(Settings settings) {
    this.s = settings;
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
      Optional<String> refusal = s.guard().refusal(uri);
      if (refusal.isPresent()) {
        return new Failed(PairStatus.REFUSED, (redirects > 0 ? "redirect refused: " : "refused: ") + refusal.get(),
            false);
      }
      String host = uri.getHost().toLowerCase(Locale.ROOT) + ":" + uri.getPort();
      Semaphore slot = HOSTS.computeIfAbsent(host, h -> new Semaphore(s.perHostConcurrency(), true));
      try {
        slot.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "interrupted", true);
      }
      HttpURLConnection conn = null;
      try {
        conn = (HttpURLConnection) uri.toURL().openConnection();
        conn.setInstanceFollowRedirects(false);
        conn.setConnectTimeout((int) s.connectTimeout().toMillis());
        conn.setReadTimeout((int) Math.max(1, remainingMillis(deadline)));
        conn.setRequestProperty("User-Agent", s.userAgent());
        conn.setRequestProperty("Accept", "image/*, */*;q=0.5");
        int code = conn.getResponseCode();
        if (code >= 300 && code < 400) {
          String location = conn.getHeaderField("Location");
          drainAndClose(conn);
          if (location == null) {
            return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "HTTP " + code + " without Location", false);
          }
          if (redirects >= s.maxRedirects()) {
            return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "too many redirects (> " + s.maxRedirects() + ")",
                false);
          }
          uri = uri.resolve(location.trim());
          continue;
        }
        Optional<String> optOut = optOut(headers(conn, "X-Robots-Tag"));
        if (optOut.isPresent()) {
          conn.disconnect(); // the body is never read
          conn = null;
          return new Failed(PairStatus.OPTED_OUT, "X-Robots-Tag: " + optOut.get(), false);
        }
        if (code != 200) {
          drainAndClose(conn);
          boolean retryable = code == 408 || code == 429 || code >= 500;
          return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "HTTP " + code, retryable);
        }
        long length = conn.getContentLengthLong();
        if (length > s.maxBytes()) {
          conn.disconnect();
          conn = null;
          return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "response too large: Content-Length " + length
              + " > " + s.maxBytes() + " bytes", false);
        }
        byte[] body = readBody(conn, deadline);
        if (body == null) {
          conn.disconnect();
          conn = null;
          return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "response too large: more than " + s.maxBytes()
              + " bytes", false);
        }
        return new Fetched(body, conn.getContentType(), uri.toString(), attemptNumber);
      } catch (SocketTimeoutException e) {
        disconnect(conn);
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "timeout: " + e.getMessage(), true);
      } catch (DeadlineException e) {
        disconnect(conn);
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "timeout: no complete response within "
            + s.timeout().toMillis() + " ms", true);
      } catch (UnknownHostException e) {
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "unknown host " + e.getMessage(), false);
      } catch (IllegalArgumentException e) {
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, "bad URL: " + e.getMessage(), false);
      } catch (IOException e) {
        disconnect(conn);
        return new Failed(PairStatus.FAILED_TO_DOWNLOAD, e.getClass().getSimpleName() + ": " + e.getMessage(), true);
      } finally {
        slot.release();
      }
    }
  }

  /** All values of a header, matching its name without regard to case (servers vary). */
  private static List<String> headers(HttpURLConnection conn, String name) {
    List<String> values = new java.util.ArrayList<>();
    for (Map.Entry<String, List<String>> e : conn.getHeaderFields().entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
        values.addAll(e.getValue());
      }
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

  private byte[] readBody(HttpURLConnection conn, long deadline) throws IOException, DeadlineException {
    try (InputStream in = conn.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(
          (int) Math.min(Math.max(conn.getContentLengthLong(), 8192), s.maxBytes()));
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
      return out.toByteArray();
    }
  }

  private static void drainAndClose(HttpURLConnection conn) {
    try (InputStream in = conn.getErrorStream() != null ? conn.getErrorStream() : conn.getInputStream()) {
      if (in != null) {
        in.readNBytes(64 * 1024);
      }
    } catch (IOException ignored) {
      conn.disconnect();
    }
  }

  private static void disconnect(HttpURLConnection conn) {
    if (conn != null) {
      conn.disconnect();
    }
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
