package io.sparkvlm.filter;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the filter did, counted over the scored web rows: images in = images with a kept text + images with none;
 * texts scored = kept + dropped, for web and synthetic texts apart.
 */
record FilterCounts(long images, long imagesWithKeptText, long imagesWithoutKeptText, long webKept,
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

  Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("images", images);
    m.put("images_with_kept_text", imagesWithKeptText);
    m.put("images_without_kept_text", imagesWithoutKeptText);
    m.put("web_kept", webKept);
    m.put("web_dropped", webDropped);
    m.put("synthetic_generated", syntheticGenerated);
    m.put("synthetic_kept", syntheticKept);
    m.put("synthetic_dropped", syntheticDropped);
    return m;
  }
}
