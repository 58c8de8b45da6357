package io.sparkvlm.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The caption tokenisation of the COCO caption evaluation (pycocoevalcap): Stanford's PTBTokenizer with
 * {@code -preserveLines -lowerCase}, then the punctuation tokens {@link #PUNCTUATIONS} dropped. This is a
 * re-implementation of the PTB rules that matter for captions (Stanford CoreNLP is GPL, so it is not a
 * dependency): lower case; punctuation split from words except inside numbers ("3.5", "1,000"), abbreviations
 * with inner periods ("u.s.") and hyphenated words; clitics split as PTB does ("don't" -> "do n't", "dog's" ->
 * "dog 's", "they're" -> "they 're"); brackets become -lrb-/-rrb- (lower-cased, so, as in pycocoevalcap, they
 * survive the punctuation filter, whose list is upper case); quotes become `` and ''. Differences from the
 * Stanford tokenizer on unusual input (URLs, emoticons, some Unicode) are possible; the golden test lists the
 * cases checked against it.
 */
public final class CaptionTokenizer {
  /** pycocoevalcap's ptbtokenizer.py PUNCTUATIONS. */
  public static final Set<String> PUNCTUATIONS = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
      ".", "?", "!", ",", ":", "-", "--", "...", ";");

  private static final Pattern TOKEN = Pattern.compile(
      "\\d+(?:[.,]\\d+)+"                 // numbers with separators
      + "|(?:[a-z]\\.){2,}"               // abbreviations like u.s.
      + "|[a-z0-9]+(?:[-'][a-z0-9]+)*"   // words, hyphenated words, words with apostrophes
      + "|\\.\\.\\.|--|``|''"
      + "|\\S");
  private static final Pattern CLITIC = Pattern.compile("(?i)^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$");

  private CaptionTokenizer() {}

  /** PTB tokens, lower case, punctuation kept. */
  public static List<String> ptbTokens(String text) {
    String s = text.replace('\n', ' ').toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(s);
    boolean openQuote = true;
    while (m.find()) {
      String t = m.group();
      switch (t) {
        // -lowerCase lowers these too, so pycocoevalcap's "-LRB-" etc. never match and they stay as words
        case "(" -> out.add("-lrb-");
        case ")" -> out.add("-rrb-");
        case "{" -> out.add("-lcb-");
        case "}" -> out.add("-rcb-");
        case "[" -> out.add("-lsb-");
        case "]" -> out.add("-rsb-");
        case "\"" -> {
          out.add(openQuote ? "``" : "''");
          openQuote = !openQuote;
        }
        default -> {
          Matcher c = CLITIC.matcher(t);
          if (t.contains("'") && c.matches() && !c.group(1).isEmpty()) {
            out.add(c.group(1));
            out.add(c.group(2));
          } else {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  /** What the COCO evaluation scores: PTB tokens without punctuation, joined by single spaces. */
  public static String tokenize(String caption) {
    List<String> kept = new ArrayList<>();
    for (String t : ptbTokens(caption)) {
      if (!PUNCTUATIONS.contains(t)) {
        kept.add(t);
      }
    }
    return String.join(" ", kept);
  }
}
