package io.sparkvlm.ingest.download;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Name lookups kept for a while, in one executor JVM: an answer for {@code ttl}, an unknown host for
 * {@code negativeTtl}. Concurrent lookups of one name wait for the same answer, so sixteen download threads asking
 * for one CDN cost one query, and a name that does not resolve (DNS timeouts take seconds) is asked once per
 * negative TTL, not once per row. The JVM's own cache (30 s positive, 10 s negative) sits below this one.
 * Thread-safe.
 */
public final class DnsCache {

  /** How a name is looked up: the system resolver, or a stand-in in tests. */
  @FunctionalInterface
  public interface Lookup {
    InetAddress[] lookup(String host) throws UnknownHostException;
  }

  /**
   * @param ttl how long an answer is kept
   * @param negativeTtl how long "unknown host" is kept (zero: not kept)
   * @param maxEntries names kept; past it, expired entries are dropped, then all answered ones
   */
  public record Settings(Duration ttl, Duration negativeTtl, int maxEntries) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** How many names were asked for, and how many of those needed a lookup. */
  public record Stats(long requests, long lookups) {}

  private static final Map<Settings, DnsCache> PER_JVM = new ConcurrentHashMap<>();

  private final Settings settings;
  private final Lookup lookup;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final LongAdder requests = new LongAdder();
  private final LongAdder lookups = new LongAdder();

  public DnsCache(Settings settings, Lookup lookup, LongSupplier nanoClock) {
    this.settings = settings;
    this.lookup = lookup;
    this.nanoClock = nanoClock;
  }

  /** This JVM's cache for these settings, on the system resolver: what every task of an executor shares. */
  public static DnsCache perJvm(Settings settings) {
    return PER_JVM.computeIfAbsent(settings, s -> new DnsCache(s, InetAddress::getAllByName, System::nanoTime));
  }

  /** The addresses of {@code host}, from the cache while its entry lives, else looked up (once for all callers). */
  public InetAddress[] resolve(String host) throws UnknownHostException {
    requests.increment();
    String name = host.toLowerCase(Locale.ROOT);
    while (true) {
      Entry current = entries.get(name);
      if (current != null && !current.expired(nanoClock.getAsLong())) {
        return current.get();
      }
      Entry fresh = new Entry();
      boolean mine = current == null ? entries.putIfAbsent(name, fresh) == null : entries.replace(name, current, fresh);
      if (!mine) {
        continue; // another thread started the lookup: wait for its answer
      }
      lookups.increment();
      try {
        InetAddress[] addresses = lookup.lookup(host);
        fresh.complete(addresses, nanoClock.getAsLong() + settings.ttl().toNanos());
      } catch (UnknownHostException e) {
        fresh.fail(e, nanoClock.getAsLong() + settings.negativeTtl().toNanos());
      } catch (RuntimeException e) {
        entries.remove(name, fresh);
        fresh.fail(e, nanoClock.getAsLong());
      }
      trim();
      return fresh.get();
    }
  }

  public Stats stats() {
    return new Stats(requests.sum(), lookups.sum());
  }

  private void trim() {
    if (entries.size() <= settings.maxEntries()) {
      return;
    }
    long now = nanoClock.getAsLong();
    entries.values().removeIf(e -> e.expired(now));
    if (entries.size() > settings.maxEntries()) {
      entries.values().removeIf(Entry::answered);
    }
  }

  /** One name's answer: pending until its lookup ends, then kept until {@code expiresAt}. */
  private static final class Entry {
    private final CompletableFuture<InetAddress[]> answer = new CompletableFuture<>();
    private volatile long expiresAt = Long.MAX_VALUE;

    void complete(InetAddress[] addresses, long until) {
      expiresAt = until;
      answer.complete(addresses.clone());
    }

    void fail(Exception e, long until) {
      expiresAt = until;
      answer.completeExceptionally(e);
    }

    boolean answered() {
      return answer.isDone();
    }

    boolean expired(long now) {
      return answer.isDone() && now - expiresAt >= 0;
    }

    InetAddress[] get() throws UnknownHostException {
      try {
        return answer.join().clone();
      } catch (CompletionException e) {
        if (e.getCause() instanceof UnknownHostException u) {
          throw new UnknownHostException(u.getMessage()); // a fresh one: callers each get their own stack
        }
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }
}
