package io.sparkvlm.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.VisionFeatures;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a checkpoint's model is, written into its manifest ({@code architecture}) with the exact shape, so whoever
 * loads it (a resumed run, {@code vlm eval model}, the next stage) builds the right inputs without a preset lookup
 * (presets may change) and without guessing from names. One kind per model family:
 *
 * <pre>
 *   {"kind": "clip", "shape": {ClipShape}}
 *   {"kind": "lm",   "shape": {LanguageModel.Shape}}
 *   {"kind": "vlm",  "name": "vlm-nano", "shape": {ClipShape}, "connector": "mlp2x_gelu", "resampler_queries": 0,
 *    "vision_features": "patch"}
 *   {"kind": "itm",  "shape": {ClipShape}}
 * </pre>
 */
public sealed interface ModelArchitecture {
  /** The model's name as manifests record it, e.g. {@code clip-nano}, {@code vlm-tiny}. */
  String name();

  JsonNode toJson();

  /** A CLIP ({@link ClipModel}). */
  record Clip(ClipShape shape) implements ModelArchitecture {
    @Override
    public String name() {
      return shape.name();
    }

    @Override
    public JsonNode toJson() {
      return node(Kind.CLIP, shape);
    }
  }

  /** A decoder language model ({@link LanguageModel}). */
  record Language(LanguageModel.Shape shape) implements ModelArchitecture {
    @Override
    public String name() {
      return shape.name();
    }

    @Override
    public JsonNode toJson() {
      return node(Kind.LM, shape);
    }
  }

  /** A LLaVA-style vision-language model ({@link VisionLanguageModel}). */
  record VisionLanguage(VisionLanguageModel.Shape shape) implements ModelArchitecture {
    @Override
    public String name() {
      return shape.name();
    }

    @Override
    public JsonNode toJson() {
      ObjectNode n = node(Kind.VLM, shape.clip());
      n.put("connector", shape.connector().name());
      n.put("resampler_queries", shape.connector() instanceof Connector.Resampler r ? r.queries() : 0);
      n.put("vision_features", shape.features().name().toLowerCase(Locale.ROOT));
      n.put("name", shape.name());
      return n;
    }
  }

  /** BLIP's image-text matching model ({@link MatchingModel}). */
  record Matching(ClipShape shape) implements ModelArchitecture {
    @Override
    public String name() {
      return shape.nameFor("itm");
    }

    @Override
    public JsonNode toJson() {
      return node(Kind.ITM, shape);
    }
  }

  /** The kinds, as written in {@code kind}. */
  enum Kind {
    CLIP, LM, VLM, ITM;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The checkpoint's architecture; empty for checkpoints written before manifests recorded it. */
  static Optional<ModelArchitecture> of(CheckpointManifest manifest, String location) {
    return manifest.architecture().map(n -> fromJson(n, location + "/" + CheckpointManifest.FILE_NAME));
  }

  /** Reads what {@link #toJson} wrote; {@code where} (the manifest's path) names the file in errors. */
  static ModelArchitecture fromJson(JsonNode n, String where) {
    String kind = n.path("kind").asText("");
    Kind k = null;
    for (Kind candidate : Kind.values()) {
      if (candidate.key().equals(kind)) {
        k = candidate;
      }
    }
    if (k == null) {
      throw new CheckpointError(where + ": architecture.kind is '" + kind + "', expected one of clip, lm, vlm, itm");
    }
    JsonNode shape = n.path("shape");
    if (!shape.isObject()) {
      throw new CheckpointError(where + ": architecture has no shape object");
    }
    try {
      return switch (k) {
        case CLIP -> new Clip(Json.MAPPER.treeToValue(shape, ClipShape.class));
        case LM -> new Language(Json.MAPPER.treeToValue(shape, LanguageModel.Shape.class));
        case ITM -> new Matching(Json.MAPPER.treeToValue(shape, ClipShape.class));
        case VLM -> new VisionLanguage(new VisionLanguageModel.Shape(n.path("name").asText(),
            Json.MAPPER.treeToValue(shape, ClipShape.class),
            Connector.of(n.path("connector").asText(""), n.path("resampler_queries").asInt(0)),
            VisionFeatures.valueOf(n.path("vision_features").asText("patch").toUpperCase(Locale.ROOT))));
      };
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckpointError(where + ": architecture of kind " + kind + " does not read: " + e.getMessage(), e);
    }
  }

  private static ObjectNode node(Kind kind, Object shape) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("kind", kind.key());
    n.set("shape", Json.MAPPER.valueToTree(shape));
    return n;
  }
}
