package io.sparkvlm.core.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The JSON mapper for manifests and reports: snake_case keys, indented, unknown fields ignored on read. */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * A tree reader for files users hand in (results, decisions): anything after the first JSON value is an error, as
   * Python's {@code json.load} says "Extra data", instead of being dropped (two result files concatenated).
   */
  public static final com.fasterxml.jackson.databind.ObjectReader WHOLE_TREE =
      MAPPER.readerFor(com.fasterxml.jackson.databind.JsonNode.class)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
}
