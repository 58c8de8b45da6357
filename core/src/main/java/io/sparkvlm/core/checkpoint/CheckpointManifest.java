package io.sparkvlm.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.InputRef;
import io.sparkvlm.core.io.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code manifest.json} of a checkpoint folder: everything needed to know what the model is and how it was made.
 *
 * @param model the model's name, e.g. {@code clip-nano}
 * @param architecture what the model is, with its exact shape ({@code ModelArchitecture}'s JSON); absent in
 *     checkpoints written before it was recorded
 * @param step optimiser steps taken when this checkpoint was written
 * @param seed the run's random seed
 * @param config effective configuration of the run, secrets redacted
 * @param datasets manifests of the datasets trained on
 * @param parent the checkpoint this run started from, if any
 * @param metrics metrics at save time (loss, learning rate, ...)
 * @param versions spark-vlm, Java, Spark, DL4J versions and the ND4J backend
 * @param createdAt ISO-8601 instant
 */
public record CheckpointManifest(String model, Optional<JsonNode> architecture, long step, long seed,
    JsonNode config, List<InputRef> datasets, Optional<String> parent, Map<String, Double> metrics,
    Map<String, String> versions, String createdAt) {

  public static final String FILE_NAME = "manifest.json";

  public CheckpointManifest {
    datasets = List.copyOf(datasets);
    metrics = new TreeMap<>(metrics);
    versions = new TreeMap<>(versions);
  }

  public byte[] toJson() {
    try {
      return Json.MAPPER.writeValueAsBytes(new Stored(model, architecture.orElse(null), step, seed, config,
          datasets, parent.orElse(null), metrics, versions, createdAt));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialise checkpoint manifest", e);
    }
  }

  public static CheckpointManifest fromJson(byte[] json) throws IOException {
    Stored s = Json.MAPPER.readValue(json, Stored.class);
    Optional<JsonNode> architecture = s.architecture == null || s.architecture.isNull() ? Optional.empty()
        : Optional.of(s.architecture);
    return new CheckpointManifest(s.model, architecture, s.step, s.seed, s.config,
        s.datasets == null ? List.of() : s.datasets, Optional.ofNullable(s.parent),
        s.metrics == null ? Map.of() : s.metrics, s.versions == null ? Map.of() : s.versions, s.createdAt);
  }

  /** JSON form: architecture and parent nullable. */
  private record Stored(String model, JsonNode architecture, long step, long seed, JsonNode config,
      List<InputRef> datasets, String parent, Map<String, Double> metrics, Map<String, String> versions,
      String createdAt) {}
}
