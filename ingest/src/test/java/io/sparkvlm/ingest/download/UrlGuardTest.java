package io.sparkvlm.ingest.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UrlGuardTest {
  final UrlGuard strict = new UrlGuard(List.of());

  /** The guard's two checks as the downloader applies them: the URI, then every address its host resolves to. */
  static Optional<String> refusal(UrlGuard guard, URI uri) throws UnknownHostException {
    Optional<String> refused = guard.uriRefusal(uri);
    return refused.isPresent() ? refused : guard.addressRefusal(uri.getHost(), InetAddress.getAllByName(uri.getHost()));
  }

  @Test
  void refusesNonHttpSchemesAndPrivateLoopbackLinkLocalAddresses() throws Exception {
    assertThat(refusal(strict, URI.create("file:///etc/passwd"))).hasValueSatisfying(
        m -> assertThat(m).contains("scheme 'file'"));
    assertThat(refusal(strict, URI.create("ftp://example.com/x.jpg"))).isPresent();
    assertThat(refusal(strict, URI.create("http://127.0.0.1:8080/x.jpg"))).hasValueSatisfying(
        m -> assertThat(m).contains("loopback"));
    assertThat(refusal(strict, URI.create("http://localhost/x.jpg"))).isPresent();
    assertThat(refusal(strict, URI.create("http://169.254.169.254/latest/meta-data/"))).hasValueSatisfying(
        m -> assertThat(m).contains("link-local"));
    assertThat(refusal(strict, URI.create("http://10.1.2.3/x"))).hasValueSatisfying(
        m -> assertThat(m).contains("private"));
    assertThat(refusal(strict, URI.create("http://192.168.0.1/x"))).isPresent();
    assertThat(refusal(strict, URI.create("http://172.16.5.4/x"))).isPresent();
    assertThat(refusal(strict, URI.create("http://100.64.0.1/x"))).hasValueSatisfying(
        m -> assertThat(m).contains("carrier-grade"));
    assertThat(refusal(strict, URI.create("http://0.0.0.0/x"))).isPresent();
    assertThat(refusal(strict, URI.create("http://[::1]/x"))).isPresent();
    assertThat(refusal(strict, URI.create("http://[fd00::1]/x"))).hasValueSatisfying(
        m -> assertThat(m).contains("unique-local"));
    // a public address literal passes (no connection is made here)
    assertThat(refusal(strict, URI.create("http://93.184.216.34/x.jpg"))).isEmpty();
  }

  @Test
  void anAllowlistOpensOnlyItsBlock() throws Exception {
    UrlGuard loopback = new UrlGuard(List.of("127.0.0.1/32"));
    assertThat(refusal(loopback, URI.create("http://127.0.0.1:8765/x.jpg"))).isEmpty();
    assertThat(refusal(loopback, URI.create("http://127.0.0.2/x.jpg"))).isPresent();
    assertThat(refusal(loopback, URI.create("http://169.254.169.254/x"))).isPresent();
    UrlGuard tenSlash8 = new UrlGuard(List.of("10.0.0.0/8"));
    assertThat(refusal(tenSlash8, URI.create("http://10.200.3.4/x"))).isEmpty();
    assertThat(refusal(tenSlash8, URI.create("http://11.0.0.1/x"))).isEmpty();
    assertThatThrownBy(() -> new UrlGuard(List.of("10.0.0.0/40"))).hasMessageContaining("prefix");
  }
}
