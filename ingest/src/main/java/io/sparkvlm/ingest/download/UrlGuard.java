package io.sparkvlm.ingest.download;

import java.io.Serializable;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SSRF guard's rules: only http and https, and no loopback, private, link-local, multicast, unspecified or
 * unique-local addresses, checked on every address the host name resolves to, unless an address is inside an
 * allowlisted CIDR block (the demo and tests allow 127.0.0.1/32). {@link GuardedResolver} applies them to the very
 * answer the HTTP client connects to, for the first URL and every redirect.
 */
public final class UrlGuard implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<Cidr> allowed;

  public UrlGuard(List<String> allowedCidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String c : allowedCidrs) {
      parsed.add(Cidr.parse(c));
    }
    this.allowed = List.copyOf(parsed);
  }

  /** Why {@code uri} must not be fetched whatever its host resolves to (its scheme, no host), or empty. */
  public Optional<String> uriRefusal(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.of("scheme '" + scheme + "' is not http or https");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return Optional.of("no host in " + uri);
    }
    return Optional.empty();
  }

  /** Why {@code host}, resolved to {@code addresses}, must not be connected to, or empty if it may. */
  public Optional<String> addressRefusal(String host, InetAddress[] addresses) {
    for (InetAddress a : addresses) {
      if (isAllowed(a)) {
        continue;
      }
      String kind = forbiddenKind(a);
      if (kind != null) {
        return Optional.of(host + " resolves to " + kind + " address " + a.getHostAddress());
      }
    }
    return Optional.empty();
  }

  private boolean isAllowed(InetAddress a) {
    for (Cidr c : allowed) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  static String forbiddenKind(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "a loopback";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local";
    }
    if (a.isSiteLocalAddress()) {
      return "a private";
    }
    if (a.isAnyLocalAddress()) {
      return "an unspecified";
    }
    if (a.isMulticastAddress()) {
      return "a multicast";
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xFF;
      int second = b[1] & 0xFF;
      if (first == 100 && second >= 64 && second <= 127) {
        return "a carrier-grade NAT";
      }
      if (first == 0) {
        return "a 'this network'";
      }
    }
    if (a instanceof Inet6Address && (b[0] & 0xFE) == 0xFC) {
      return "a unique-local";
    }
    return null;
  }

  /** An address block such as 127.0.0.1/32 or 10.0.0.0/8. */
  record Cidr(byte[] network, int prefix) implements Serializable {
    static Cidr parse(String text) {
      String[] parts = text.trim().split("/");
      try {
        byte[] addr = InetAddress.getByName(parts[0]).getAddress();
        int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : addr.length * 8;
        if (prefix < 0 || prefix > addr.length * 8) {
          throw new IllegalArgumentException("bad prefix length in " + text);
        }
        return new Cidr(addr, prefix);
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException("not a CIDR block: '" + text + "'", e);
      }
    }

    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xFF << (8 - rest) & 0xFF;
      return (b[full] & mask) == (network[full] & mask);
    }
  }
}
