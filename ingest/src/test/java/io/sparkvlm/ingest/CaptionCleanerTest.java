package io.sparkvlm.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CaptionCleanerTest {
  final CaptionCleaner cleaner = new CaptionCleaner(40);

  @Test
  void decodesEntitiesStripsTagsAndCollapsesWhitespace() {
    assertThat(cleaner.clean("  A <b>red</b>\n\tcircle &amp; a&nbsp;square  ")).isEqualTo("A red circle & a square");
    assertThat(cleaner.clean("&lt;img src=x&gt; caf&#233; &#x263A; &copy;")).isEqualTo("café ☺ ©");
    assertThat(cleaner.clean("unknown &bogus; entity")).isEqualTo("unknown &bogus; entity");
    assertThat(cleaner.clean(null)).isEmpty();
    assertThat(cleaner.clean("zero&#0;width\u200Bspace")).isEqualTo("zero width space");
    // the full HTML5 set, as Python's html.unescape: legacy references without a semicolon too
    assertThat(cleaner.clean("&frac12; cup &amp that &copy2020 &NotNestedGreaterGreater;"))
        .isEqualTo("\u00BD cup & that \u00A92020 \u2AA2\u0338");
  }

  @Test
  void cutsLongCaptionsAtAWordBoundary() {
    String cut = cleaner.clean("one two three four five six seven eight nine ten eleven");
    assertThat(cut).isEqualTo("one two three four five six seven eight");
    assertThat(cut.length()).isLessThanOrEqualTo(40);
    assertThat(cleaner.clean("x".repeat(100))).hasSize(40);
  }
}
