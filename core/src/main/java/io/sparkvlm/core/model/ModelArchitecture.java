package io.sparkvlm.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.layers.Fusion;
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
 *   {"kind": "vlm",  "name": "vlm-nano", "vision": {VisionTower}, "lm": {LanguageModel.Shape},
 *    "connector": "mlp2x_gelu", "resampler_queries": 0, "vision_features": "patch", "vision_layers": 1,
 *    "fusion": "prefix", "cross_attention_every": 0}      (no fusion: prefix, written before Flamingo's existed)
 *   {"kind": "itm",  "name": "itm-nano", "vision": {VisionTower}, "text": {LanguageModel.Shape}}
 *   {"kind": "detector", "shape": {DetectorModel.Shape}}
 * </pre>
 *
 * Manifests of format 1 described a vision-language or matching model by one CLIP shape ({@code "shape"}: its
 * vision tower, and its text tower as the LM or text encoder, the penultimate vision block); they still read.
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
      ObjectNode n = kindNode(Kind.VLM);
      n.put("name", shape.name());
      n.set("vision", Json.MAPPER.valueToTree(shape.vision()));
      n.set("lm", Json.MAPPER.valueToTree(shape.lm()));
      n.put("connector", shape.connector().name());
      n.put("resampler_queries", shape.connector() instanceof Connector.Resampler r ? r.queries() : 0);
      n.put("vision_features", shape.features().name().toLowerCase(Locale.ROOT));
      n.put("vision_layers", shape.visionLayers());
      n.put("fusion", shape.fusion().name());
      n.put("cross_attention_every", shape.fusion() instanceof Fusion.CrossAttention x ? x.every() : 0);
      return n;
    }
  }

  /** BLIP's image-text matching model ({@link MatchingModel}). */
  record Matching(MatchingModel.Shape shape) implements ModelArchitecture {
    @Override
    public String name() {
      return shape.name();
    }

    @Override
    public JsonNode toJson() {
      ObjectNode n = kindNode(Kind.ITM);
      n.put("name", shape.name());
      n.set("vision", Json.MAPPER.valueToTree(shape.vision()));
      n.set("text", Json.MAPPER.valueToTree(shape.text()));
      n.put("head", shape.head().configName());
      return n;
    }
  }

  /** OWL-ViT's open-vocabulary detector ({@link DetectorModel}). */
  record Detector(DetectorModel.Shape shape) implements ModelArchitecture {
    @Override
    public String name() {
      return shape.name();
    }

    @Override
    public JsonNode toJson() {
      return node(Kind.DETECTOR, shape);
    }
  }

  /** The kinds, as written in {@code kind}. */
  enum Kind {
    CLIP, LM, VLM, ITM, DETECTOR;

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
      throw new CheckpointError(where + ": architecture.kind is '" + kind + "', expected one of clip, lm, vlm, itm, detector");
    }
    JsonNode shape = n.path("shape");
    boolean composed = (k == Kind.VLM || k == Kind.ITM) && n.path("vision").isObject();
    if (!shape.isObject() && !composed) {
      throw new CheckpointError(where + ": architecture has no shape object");
    }
    try {
      return switch (k) {
        case CLIP -> new Clip(Json.MAPPER.treeToValue(shape, ClipShape.class));
        case LM -> new Language(Json.MAPPER.treeToValue(shape, LanguageModel.Shape.class));
        case ITM -> new Matching(composed
            ? new MatchingModel.Shape(n.path("name").asText(), Json.MAPPER.treeToValue(n.path("vision"),
                VisionTower.class), Json.MAPPER.treeToValue(n.path("text"), LanguageModel.Shape.class),
                MatchingModel.Head.of(n.path("head").asText(MatchingModel.Head.FUSED.configName())))
            : MatchingModel.Shape.of(Json.MAPPER.treeToValue(shape, ClipShape.class)));
        case VLM -> new VisionLanguage(visionLanguage(n, composed));
        case DETECTOR -> new Detector(Json.MAPPER.treeToValue(shape, DetectorModel.Shape.class));
      };
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckpointError(where + ": architecture of kind " + kind + " does not read: " + e.getMessage(), e);
    }
  }

  private static VisionLanguageModel.Shape visionLanguage(JsonNode n, boolean composed) throws IOException {
    Connector connector = Connector.of(n.path("connector").asText(""), n.path("resampler_queries").asInt(0));
    VisionFeatures features = VisionFeatures.valueOf(n.path("vision_features").asText("patch")
        .toUpperCase(Locale.ROOT));
    if (!composed) {
      ClipShape clip = Json.MAPPER.treeToValue(n.path("shape"), ClipShape.class);
      VisionLanguageModel.Shape v1 = VisionLanguageModel.Shape.of(clip, connector);
      return new VisionLanguageModel.Shape(n.path("name").asText(v1.name()), v1.vision(), v1.lm(), connector,
          features, v1.visionLayers());
    }
    VisionTower vision = Json.MAPPER.treeToValue(n.path("vision"), VisionTower.class);
    // manifests written before Flamingo's fusion existed are LLaVA's prefix fusion
    Fusion fusion = Fusion.of(n.path("fusion").asText("prefix"), n.path("cross_attention_every").asInt(0));
    return new VisionLanguageModel.Shape(n.path("name").asText(), vision,
        Json.MAPPER.treeToValue(n.path("lm"), LanguageModel.Shape.class), connector, features,
        n.path("vision_layers").asInt(VisionLanguageModel.Shape.penultimate(vision)), fusion);
  }

  private static ObjectNode kindNode(Kind kind) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("kind", kind.key());
    return n;
  }

  private static ObjectNode node(Kind kind, Object shape) {
    ObjectNode n = kindNode(kind);
    n.set("shape", Json.MAPPER.valueToTree(shape));
    return n;
  }
}
