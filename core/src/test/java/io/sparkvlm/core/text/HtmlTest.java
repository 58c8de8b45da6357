package io.sparkvlm.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Html.unescape against Python's html.unescape (scripts/fixtures/make_html_entities.py). */
class HtmlTest {
  @Test
  void equalsPythonsHtmlUnescapeOnEveryNamedReferenceAndTheEdgeCases() throws Exception {
    JsonNode goldens;
    try (InputStream in = HtmlTest.class.getResourceAsStream("/text/html-unescape-goldens.json")) {
      goldens = Json.MAPPER.readTree(in);
    }
    assertThat(goldens.size()).isGreaterThan(2231);
    for (JsonNode g : goldens) {
      assertThat(Html.unescape(g.get("in").asText())).as(g.get("in").asText()).isEqualTo(g.get("out").asText());
    }
    assertThat(Html.isNamed("NotNestedGreaterGreater;")).isTrue();
  }
}
