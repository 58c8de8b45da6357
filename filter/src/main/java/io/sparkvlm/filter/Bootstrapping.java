package io.sparkvlm.filter;

import io.sparkvlm.core.dataset.BootstrappedPairs;
import io.sparkvlm.core.dataset.BootstrappedPairs.TextSource;
import io.sparkvlm.core.dataset.FilterDecisions;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Row-level decisions of the filter stage and the rows of the bootstrapped dataset, as plain functions: what is kept,
 * and every text (kept or not) as a row, so nothing is lost.
 */
final class Bootstrapping {
  private Bootstrapping() {}

  /**
   * The keep rule: which texts of a scored row stay. {@code itcMinimum} is negative infinity when no ITC threshold
   * is set; {@code clipScoreCut} applies in clip-score mode only (NaN otherwise).
   */
  record Rule(FilterConfig.Mode mode, double itm, double itcMinimum, double clipScoreCut) implements Serializable {

    static Rule of(FilterConfig.Mode mode, double itm, OptionalDouble itc, double clipScoreCut) {
      return new Rule(mode, itm, itc.orElse(Double.NEGATIVE_INFINITY), clipScoreCut);
    }

    /** The ITC threshold, when one is set. */
    OptionalDouble itc() {
      return Double.isInfinite(itcMinimum) ? OptionalDouble.empty() : OptionalDouble.of(itcMinimum);
    }

    /** Whether text {@code j} of a row (0: the web caption, then the synthetic ones) is kept. */
    boolean keep(WebTexts.Scored s, int j) {
      return switch (mode) {
        case CAPTIONER_ONLY -> true;
        case CLIP_SCORE -> s.itc()[j] >= clipScoreCut;
        case CAPFILT, FILTER_ONLY -> s.itm()[j] >= itm && s.itc()[j] >= itcMinimum;
      };
    }

    /** The score a decision reports: the matching model's probability, or the cosine in clip-score mode. */
    double score(WebTexts.Scored s, int j) {
      return mode == FilterConfig.Mode.CLIP_SCORE || mode == FilterConfig.Mode.CAPTIONER_ONLY ? s.itc()[j]
          : s.itm()[j];
    }
  }

  /** A row's web-caption decision in the filter-decision contract (rows without a URL have none). */
  static Optional<String> decision(WebTexts.Scored s, Rule rule) {
    String url = s.row().getAs(PairsSchema.URL);
    if (url == null) {
      return Optional.empty();
    }
    return Optional.of(FilterDecisions.toJson(new FilterDecisions.Decision(url, rule.keep(s, 0),
        OptionalDouble.of(rule.score(s, 0)))));
  }

  /** Every text of a scored row as a row of the bootstrapped dataset (input schema + the three columns). */
  static List<Row> rows(WebTexts.Scored s, Rule rule, StructType input) {
    List<Row> out = new ArrayList<>();
    for (int j = 0; j < s.texts().size(); j++) {
      boolean kept = rule.keep(s, j);
      String key = j == 0 ? s.key() : BootstrappedPairs.syntheticKey(s.key(), j - 1);
      Object[] v = values(s.row(), input);
      v[input.fieldIndex(PairsSchema.KEY)] = key;
      v[input.fieldIndex(PairsSchema.CAPTION)] = s.texts().get(j);
      v[input.fieldIndex(PairsSchema.STATUS)] = (kept ? PairStatus.SUCCESS : PairStatus.FILTERED).value();
      v[input.fieldIndex(PairsSchema.ERROR_MESSAGE)] = kept ? null : reason(s, j, rule);
      out.add(withExtras(v, j == 0 ? TextSource.WEB : TextSource.SYNTHETIC, nanToNull(s.itm()[j]),
          nanToNull(s.itc()[j])));
    }
    return out;
  }

  /** Why a text was dropped, for the error_message column. */
  static String reason(WebTexts.Scored s, int j, Rule rule) {
    return switch (rule.mode()) {
      case CLIP_SCORE -> String.format("clip score %.4f below %.4f", s.itc()[j], rule.clipScoreCut());
      default -> s.itm()[j] < rule.itm() ? String.format("itm %.4f below %.4f", s.itm()[j], rule.itm())
          : String.format("itc %.4f below %.4f", s.itc()[j], rule.itcMinimum());
    };
  }

  /** An input row that had no image (not successful): as it was, text source web, no scores. */
  static Row passThrough(Row r, StructType input) {
    return withExtras(values(r, input), TextSource.WEB, null, null);
  }

  /** A seed caption as a successful row: the image's bytes, the caption; other columns empty. */
  static Row seed(SeedSet.Image image, int j, StructType input) {
    Object[] v = new Object[input.size()];
    v[input.fieldIndex(PairsSchema.KEY)] = BootstrappedPairs.seedKey(image.id(), j);
    v[input.fieldIndex(PairsSchema.CAPTION)] = image.captions().get(j);
    v[input.fieldIndex(PairsSchema.IMAGE)] = image.image();
    v[input.fieldIndex(PairsSchema.STATUS)] = PairStatus.SUCCESS.value();
    v[input.fieldIndex(PairsSchema.SOURCE)] = "seed";
    return withExtras(v, TextSource.SEED, null, null);
  }

  private static Object[] values(Row r, StructType input) {
    Object[] v = new Object[input.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.get(r.fieldIndex(input.fields()[i].name()));
    }
    return v;
  }

  private static Row withExtras(Object[] v, TextSource source, Double itm, Double itc) {
    Object[] all = Arrays.copyOf(v, v.length + 3);
    all[v.length] = source.value();
    all[v.length + 1] = itm;
    all[v.length + 2] = itc;
    return RowFactory.create(all);
  }

  private static Double nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** The output schema: the input's columns, then the filter's three. */
  static StructType outputSchema(StructType input) {
    return input
        .add(BootstrappedPairs.TEXT_SOURCE, DataTypes.StringType, false)
        .add(BootstrappedPairs.ITM_SCORE, DataTypes.DoubleType, true)
        .add(BootstrappedPairs.ITC_SCORE, DataTypes.DoubleType, true);
  }
}
