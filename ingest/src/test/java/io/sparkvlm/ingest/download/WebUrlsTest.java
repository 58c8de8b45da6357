package io.sparkvlm.ingest.download;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebUrlsTest {
  static String valid(String raw) {
    WebUrls.Parsed p = WebUrls.parse(raw);
    assertThat(p).as(raw).isInstanceOf(WebUrls.Valid.class);
    return ((WebUrls.Valid) p).uri().toASCIIString();
  }

  static String invalid(String raw) {
    WebUrls.Parsed p = WebUrls.parse(raw);
    assertThat(p).as(raw).isInstanceOf(WebUrls.Invalid.class);
    return ((WebUrls.Invalid) p).reason();
  }

  @Test
  void spacesAndNonAsciiArePercentEncodedAsBrowsersDo() {
    // as browsers and Python's requests send these (UTF-8 percent-encoding of what a URI may not hold)
    assertThat(valid("http://example.com/a b.jpg")).isEqualTo("http://example.com/a%20b.jpg");
    assertThat(valid("https://example.com/café/ñ.png?q=grüße&x=1"))
        .isEqualTo("https://example.com/caf%C3%A9/%C3%B1.png?q=gr%C3%BC%C3%9Fe&x=1");
    assertThat(valid("  http://example.com/x.jpg\t")).isEqualTo("http://example.com/x.jpg");
    // an escape already there is kept; a bare percent sign is encoded
    assertThat(valid("http://example.com/a%20b%zz.jpg")).isEqualTo("http://example.com/a%20b%25zz.jpg");
    assertThat(valid("http://example.com/{x}|\"y\"")).isEqualTo("http://example.com/%7Bx%7D%7C%22y%22");
    // a URL of another scheme is a URL: the guard refuses it later
    assertThat(valid("ftp://example.com/x.jpg")).startsWith("ftp://");
  }

  @Test
  void aValueThatIsNoUrlAtAllSaysSo() {
    assertThat(invalid("only-one-column")).contains("not a URL");
    assertThat(invalid("http://")).contains("not a URL");
    assertThat(invalid("example.com/x.jpg")).contains("not a URL");
    assertThat(invalid("http:///x.jpg")).contains("no host");
    assertThat(invalid("   ")).isEqualTo("no URL");
    assertThat(invalid(null)).isEqualTo("no URL");
  }
}
