package io.sparkvlm.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the filter did, counted over the scored web rows: images in = images with a kept text + images with none;
 * texts scored = kept + dropped, for web and synthetic texts apart.
 */
public record FilterCounts(long images, long imagesWithKeptText, long imagesWithoutKeptText, long webKept,
    long webDropped, long syntheticGenerated, long syntheticKept, long syntheticDropped) implements Serializable {

  static final FilterCounts NONE = new FilterCounts(0, 0, 0, 0, 0, 0, 0, 0);

  static FilterCounts of(WebTexts.Scored s, Bootstrapping.Rule rule) {
    boolean webKept = rule.keep(s, 0);
    long synKept = 0;
    for (int j = 1; j < s.texts().size(); j++) {
      if (rule.keep(s, j)) {
        synKept++;
      }
    }
    long syn = s.texts().size() - 1;
    boolean any = webKept || synKept > 0;
    return new FilterCounts(1, any ? 1 : 0, any ? 0 : 1, webKept ? 1 : 0, webKept ? 0 : 1, syn, synKept,
        syn - synKept);
  }

  FilterCounts plus(FilterCounts o) {
    return new FilterCounts(images + o.images, imagesWithKeptText + o.imagesWithKeptText,
        imagesWithoutKeptText + o.imagesWithoutKeptText, webKept + o.webKept, webDropped + o.webDropped,
        syntheticGenerated + o.syntheticGenerated, syntheticKept + o.syntheticKept,
        syntheticDropped + o.syntheticDropped);
  }

  private static final String IMAGES = "images";
  private static final String IMAGES_WITH_KEPT_TEXT = "images_with_kept_text";
  private static final String IMAGES_WITHOUT_KEPT_TEXT = "images_without_kept_text";
  private static final String WEB_KEPT = "web_kept";
  private static final String WEB_DROPPED = "web_dropped";
  private static final String SYNTHETIC_GENERATED = "synthetic_generated";
  private static final String SYNTHETIC_KEPT = "synthetic_kept";
  private static final String SYNTHETIC_DROPPED = "synthetic_dropped";

  /** The counts as the run manifest's {@code counts} object holds them. */
  Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put(IMAGES, images);
    m.put(IMAGES_WITH_KEPT_TEXT, imagesWithKeptText);
    m.put(IMAGES_WITHOUT_KEPT_TEXT, imagesWithoutKeptText);
    m.put(WEB_KEPT, webKept);
    m.put(WEB_DROPPED, webDropped);
    m.put(SYNTHETIC_GENERATED, syntheticGenerated);
    m.put(SYNTHETIC_KEPT, syntheticKept);
    m.put(SYNTHETIC_DROPPED, syntheticDropped);
    return m;
  }

  /** The inverse of {@link #asMap}: the counts from a run manifest's {@code counts} object. */
  static FilterCounts fromJson(JsonNode counts) {
    return new FilterCounts(counts.path(IMAGES).asLong(), counts.path(IMAGES_WITH_KEPT_TEXT).asLong(),
        counts.path(IMAGES_WITHOUT_KEPT_TEXT).asLong(), counts.path(WEB_KEPT).asLong(),
        counts.path(WEB_DROPPED).asLong(), counts.path(SYNTHETIC_GENERATED).asLong(),
        counts.path(SYNTHETIC_KEPT).asLong(), counts.path(SYNTHETIC_DROPPED).asLong());
  }
}
