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
 * @param parents the checkpoints this model was made from: the one a resumed run continued, or the models a new one
 *     starts from (a vision-language model: its CLIP and its LM); empty for a model trained from scratch
 * @param metrics metrics at save time (loss, learning rate, ...)
 * @param versions spark-vlm, Java, Spark, DL4J versions and the ND4J backend
 * @param createdAt ISO-8601 instant
 */
public record CheckpointManifest(String model, Optional<JsonNode> architecture, long step, long seed,
    JsonNode config, List<InputRef> datasets, List<String> parents, Map<String, Double> metrics,
    Map<String, String> versions, String createdAt) {

  public static final String FILE_NAME = "manifest.json";
  /**
   * The manifest format: 2 records {@code parents} (a list) and architectures of composed shapes (a vision-language
   * model's vision tower and LM, each with its own shape); format 1 (no {@code format} key) had one {@code parent}
   * and a vision-language model of one CLIP preset. Both read.
   */
  public static final int FORMAT = 2;

  public CheckpointManifest {
    datasets = List.copyOf(datasets);
    parents = List.copyOf(parents);
    metrics = new TreeMap<>(metrics);
    versions = new TreeMap<>(versions);
  }

  public byte[] toJson() {
    try {
      return Json.MAPPER.writeValueAsBytes(new Stored(FORMAT, model, architecture.orElse(null), step, seed, config,
          datasets, null, parents, metrics, versions, createdAt));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialise checkpoint manifest", e);
    }
  }

  public static CheckpointManifest fromJson(byte[] json) throws IOException {
    Stored s = Json.MAPPER.readValue(json, Stored.class);
    Optional<JsonNode> architecture = s.architecture == null || s.architecture.isNull() ? Optional.empty()
        : Optional.of(s.architecture);
    if (s.format != null && s.format > FORMAT) {
      throw new IOException("checkpoint manifest format " + s.format + " is newer than this spark-vlm reads ("
          + FORMAT + ")");
    }
    List<String> parents = s.parents != null ? s.parents : s.parent != null ? List.of(s.parent) : List.of();
    return new CheckpointManifest(s.model, architecture, s.step, s.seed, s.config,
        s.datasets == null ? List.of() : s.datasets, parents,
        s.metrics == null ? Map.of() : s.metrics, s.versions == null ? Map.of() : s.versions, s.createdAt);
  }

  /** JSON form: format absent in format 1; architecture nullable; {@code parent} (one) is format 1's. */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  private record Stored(Integer format, String model, JsonNode architecture, long step, long seed, JsonNode config,
      List<InputRef> datasets, String parent, List<String> parents, Map<String, Double> metrics,
      Map<String, String> versions, String createdAt) {}
}
