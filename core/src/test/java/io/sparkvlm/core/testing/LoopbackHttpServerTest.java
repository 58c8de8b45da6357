package io.sparkvlm.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoopbackHttpServerTest {
  @Test
  void servesOnLoopbackWithStatusAndBody() throws Exception {
    try (LoopbackHttpServer server = LoopbackHttpServer.start()
        .serve("/ok", 200, "text/plain", "hi".getBytes(StandardCharsets.UTF_8))
        .serve("/gone", 404, "text/plain", new byte[0])) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(server.url("/ok"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("hi");
      assertThat(ok.headers().firstValue("Content-Type")).contains("text/plain");
      HttpResponse<String> gone = client.send(HttpRequest.newBuilder(URI.create(server.url("/gone"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(gone.statusCode()).isEqualTo(404);
      assertThat(server.url("/x")).startsWith("http://127.0.0.1:");
    }
  }
}
