package io.sparkvlm.ingest.download;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The HTTP client's name resolver: one lookup (through the {@link DnsCache}), every address of the answer checked
 * by the {@link UrlGuard}, and only that checked answer handed to the client, which connects to one of those
 * addresses. Nothing resolves the name a second time between the check and the connection, so a DNS-rebinding
 * answer (public first, then private) is refused when it comes, not connected to.
 */
final class GuardedResolver implements DnsResolver {

  /** The answer named addresses the guard refuses; {@link #getMessage()} says which and why. */
  static final class AddressRefusedException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    AddressRefusedException(String reason) {
      super(reason);
    }
  }

  private final DnsCache cache;
  private final UrlGuard guard;

  GuardedResolver(DnsCache cache, UrlGuard guard) {
    this.cache = cache;
    this.guard = guard;
  }

  @Override
  public InetAddress[] resolve(String host) throws UnknownHostException {
    InetAddress[] addresses = cache.resolve(host);
    var refusal = guard.addressRefusal(host, addresses);
    if (refusal.isPresent()) {
      throw new AddressRefusedException(refusal.get());
    }
    return addresses;
  }

  @Override
  public String resolveCanonicalHostname(String host) {
    return host; // never asked for: the client only needs it for Kerberos/SPNEGO, which ingest does not use
  }
}
