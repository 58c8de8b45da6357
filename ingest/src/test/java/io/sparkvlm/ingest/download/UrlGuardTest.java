package io.sparkvlm.ingest.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class UrlGuardTest {
  final UrlGuard strict = new UrlGuard(List.of());

  @Test
  void refusesNonHttpSchemesAndPrivateLoopbackLinkLocalAddresses() {
    assertThat(strict.refusal(URI.create("file:///etc/passwd"))).hasValueSatisfying(
        m -> assertThat(m).contains("scheme 'file'"));
    assertThat(strict.refusal(URI.create("ftp://example.com/x.jpg"))).isPresent();
    assertThat(strict.refusal(URI.create("http://127.0.0.1:8080/x.jpg"))).hasValueSatisfying(
        m -> assertThat(m).contains("loopback"));
    assertThat(strict.refusal(URI.create("http://localhost/x.jpg"))).isPresent();
    assertThat(strict.refusal(URI.create("http://169.254.169.254/latest/meta-data/"))).hasValueSatisfying(
        m -> assertThat(m).contains("link-local"));
    assertThat(strict.refusal(URI.create("http://10.1.2.3/x"))).hasValueSatisfying(
        m -> assertThat(m).contains("private"));
    assertThat(strict.refusal(URI.create("http://192.168.0.1/x"))).isPresent();
    assertThat(strict.refusal(URI.create("http://172.16.5.4/x"))).isPresent();
    assertThat(strict.refusal(URI.create("http://100.64.0.1/x"))).hasValueSatisfying(
        m -> assertThat(m).contains("carrier-grade"));
    assertThat(strict.refusal(URI.create("http://0.0.0.0/x"))).isPresent();
    assertThat(strict.refusal(URI.create("http://[::1]/x"))).isPresent();
    assertThat(strict.refusal(URI.create("http://[fd00::1]/x"))).hasValueSatisfying(
        m -> assertThat(m).contains("unique-local"));
    // a public address literal passes (no connection is made here)
    assertThat(strict.refusal(URI.create("http://93.184.216.34/x.jpg"))).isEmpty();
  }

  @Test
  void anAllowlistOpensOnlyItsBlock() {
    UrlGuard loopback = new UrlGuard(List.of("127.0.0.1/32"));
    assertThat(loopback.refusal(URI.create("http://127.0.0.1:8765/x.jpg"))).isEmpty();
    assertThat(loopback.refusal(URI.create("http://127.0.0.2/x.jpg"))).isPresent();
    assertThat(loopback.refusal(URI.create("http://169.254.169.254/x"))).isPresent();
    UrlGuard tenSlash8 = new UrlGuard(List.of("10.0.0.0/8"));
    assertThat(tenSlash8.refusal(URI.create("http://10.200.3.4/x"))).isEmpty();
    assertThat(tenSlash8.refusal(URI.create("http://11.0.0.1/x"))).isEmpty();
    assertThatThrownBy(() -> new UrlGuard(List.of("10.0.0.0/40"))).hasMessageContaining("prefix");
  }
}
