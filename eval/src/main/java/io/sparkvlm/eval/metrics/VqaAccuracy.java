package io.sparkvlm.eval.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The VQA v2 accuracy exactly as the official evaluation (GT-Vision-Lab/VQA, vqaEval.py) computes it: for each of
 * the ten human answers, min(1, matches among the other nine / 3), averaged; the answer normalisation
 * (punctuation, number words, articles, contractions) is applied to the prediction and the answers only when the
 * ten human answers are not all identical; results are percentages rounded to 2 decimals, overall, per question
 * type and per answer type. The official code's quirks are kept: its period-stripping pattern removes a period
 * not followed by a digit, at most 32 times (re.UNICODE passed as the count), and its punctuation rule looks at the
 * original text.
 */
public final class VqaAccuracy {
  private VqaAccuracy() {}

  /** One question's ground truth. */
  public record Question(long questionId, String questionType, String answerType, List<String> answers) {}

  /** Accuracy (percent, 2 decimals) overall, per question type, per answer type, per question. */
  public record Result(double overall, Map<String, Double> perQuestionType, Map<String, Double> perAnswerType,
      Map<Long, Double> perQuestion) {}

  static final List<String> PUNCT = List.of(";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-",
      ">", "<", "@", "`", ",", "?", "!");
  static final Pattern PERIOD_STRIP = Pattern.compile("(?!<=\\d)(\\.)(?!\\d)");
  static final Pattern COMMA_STRIP = Pattern.compile("(\\d)(,)(\\d)");
  static final Map<String, String> MANUAL_MAP = Map.ofEntries(Map.entry("none", "0"), Map.entry("zero", "0"),
      Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"),
      Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"),
      Map.entry("nine", "9"), Map.entry("ten", "10"));
  static final List<String> ARTICLES = List.of("a", "an", "the");
  static final Map<String, String> CONTRACTIONS = contractions();

  public static Result evaluate(List<Question> questions, Map<Long, String> predictions) {
    Map<Long, Double> perQuestion = new LinkedHashMap<>();
    Map<String, List<Double>> byQuestionType = new LinkedHashMap<>();
    Map<String, List<Double>> byAnswerType = new LinkedHashMap<>();
    List<Double> all = new ArrayList<>();
    List<Long> missing = new ArrayList<>();
    for (Question q : questions) {
      if (!predictions.containsKey(q.questionId())) {
        missing.add(q.questionId());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("no predicted answer for " + missing.size() + " questions (e.g. "
          + missing.get(0) + "); the official evaluation requires one for every question");
    }
    java.util.Set<Long> asked = new java.util.HashSet<>();
    questions.forEach(q -> asked.add(q.questionId()));
    List<Long> extra = predictions.keySet().stream().filter(id -> !asked.contains(id)).sorted().toList();
    if (!extra.isEmpty()) {
      throw new IllegalArgumentException(extra.size() + " answers are for questions not in the questions file (e.g. "
          + extra.get(0) + "); the official evaluation requires the results to answer exactly its questions");
    }
    for (Question q : questions) {
      double acc = accuracy(q.answers(), predictions.get(q.questionId()));
      all.add(acc);
      byQuestionType.computeIfAbsent(q.questionType(), k -> new ArrayList<>()).add(acc);
      byAnswerType.computeIfAbsent(q.answerType(), k -> new ArrayList<>()).add(acc);
      perQuestion.put(q.questionId(), round(100 * acc));
    }
    Map<String, Double> qt = new TreeMap<>();
    byQuestionType.forEach((k, v) -> qt.put(k, round(100 * sum(v) / v.size())));
    Map<String, Double> at = new TreeMap<>();
    byAnswerType.forEach((k, v) -> at.put(k, round(100 * sum(v) / v.size())));
    return new Result(round(100 * sum(all) / all.size()), qt, at, perQuestion);
  }

  /** One question: the mean over the ten leave-one-out subsets of min(1, matches / 3). */
  public static double accuracy(List<String> humanAnswers, String prediction) {
    List<String> gts = new ArrayList<>();
    for (String a : humanAnswers) {
      gts.add(clean(a));
    }
    String res = clean(prediction);
    if (new HashSet<>(gts).size() > 1) {
      gts.replaceAll(a -> processDigitArticle(processPunctuation(a)));
      res = processDigitArticle(processPunctuation(res));
    }
    double sum = 0;
    for (int i = 0; i < gts.size(); i++) {
      int matches = 0;
      for (int j = 0; j < gts.size(); j++) {
        if (j != i && gts.get(j).equals(res)) {
          matches++;
        }
      }
      sum += Math.min(1, matches / 3.0);
    }
    return sum / gts.size();
  }

  private static String clean(String a) {
    return a.replace('\n', ' ').replace('\t', ' ').strip();
  }

  static String processPunctuation(String in) {
    String out = in;
    boolean commaBetweenDigits = COMMA_STRIP.matcher(in).find();
    for (String p : PUNCT) {
      if (in.contains(p + " ") || in.contains(" " + p) || commaBetweenDigits) {
        out = out.replace(p, "");
      } else {
        out = out.replace(p, " ");
      }
    }
    // Python: periodStrip.sub("", outText, re.UNICODE) -- the flag lands in the count argument (32)
    Matcher m = PERIOD_STRIP.matcher(out);
    StringBuilder sb = new StringBuilder();
    int replaced = 0;
    while (replaced < 32 && m.find()) {
      m.appendReplacement(sb, "");
      replaced++;
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static String processDigitArticle(String in) {
    List<String> out = new ArrayList<>();
    for (String word : in.toLowerCase(Locale.ROOT).trim().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      String w = MANUAL_MAP.getOrDefault(word, word);
      if (!ARTICLES.contains(w)) {
        out.add(w);
      }
    }
    out.replaceAll(w -> CONTRACTIONS.getOrDefault(w, w));
    return String.join(" ", out);
  }

  /** Python's round(x, 2): the exact binary value rounded half to even. */
  static double round(double x) {
    return new BigDecimal(x).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
  }

  private static double sum(List<Double> v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s;
  }

  private static Map<String, String> contractions() {
    String[] pairs = {"aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've", "couldnt",
        "couldn't", "couldn'tve", "couldn't've", "couldnt've", "couldn't've", "didnt", "didn't", "doesnt", "doesn't",
        "dont", "don't", "hadnt", "hadn't", "hadnt've", "hadn't've", "hadn'tve", "hadn't've", "hasnt", "hasn't",
        "havent", "haven't", "hed", "he'd", "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's", "howd", "how'd",
        "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've", "Im", "I'm", "Ive", "I've",
        "isnt", "isn't", "itd", "it'd", "itd've", "it'd've", "it'dve", "it'd've", "itll", "it'll", "let's", "let's",
        "maam", "ma'am", "mightnt", "mightn't", "mightnt've", "mightn't've", "mightn'tve", "mightn't've", "mightve",
        "might've", "mustnt", "mustn't", "mustve", "must've", "neednt", "needn't", "notve", "not've", "oclock",
        "o'clock", "oughtnt", "oughtn't", "ow's'at", "'ow's'at", "'ows'at", "'ow's'at", "'ow'sat", "'ow's'at",
        "shant", "shan't", "shed've", "she'd've", "she'dve", "she'd've", "she's", "she's", "shouldve", "should've",
        "shouldnt", "shouldn't", "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've", "somebody'd",
        "somebodyd", "somebodyd've", "somebody'd've", "somebody'dve", "somebody'd've", "somebodyll", "somebody'll",
        "somebodys", "somebody's", "someoned", "someone'd", "someoned've", "someone'd've", "someone'dve",
        "someone'd've", "someonell", "someone'll", "someones", "someone's", "somethingd", "something'd",
        "somethingd've", "something'd've", "something'dve", "something'd've", "somethingll", "something'll",
        "thats", "that's", "thered", "there'd", "thered've", "there'd've", "there'dve", "there'd've", "therere",
        "there're", "theres", "there's", "theyd", "they'd", "theyd've", "they'd've", "they'dve", "they'd've",
        "theyll", "they'll", "theyre", "they're", "theyve", "they've", "twas", "'twas", "wasnt", "wasn't", "wed've",
        "we'd've", "we'dve", "we'd've", "weve", "we've", "werent", "weren't", "whatll", "what'll", "whatre",
        "what're", "whats", "what's", "whatve", "what've", "whens", "when's", "whered", "where'd", "wheres",
        "where's", "whereve", "where've", "whod", "who'd", "whod've", "who'd've", "who'dve", "who'd've", "wholl",
        "who'll", "whos", "who's", "whove", "who've", "whyll", "why'll", "whyre", "why're", "whys", "why's", "wont",
        "won't", "wouldve", "would've", "wouldnt", "wouldn't", "wouldnt've", "wouldn't've", "wouldn'tve",
        "wouldn't've", "yall", "y'all", "yall'll", "y'all'll", "y'allll", "y'all'll", "yall'd've", "y'all'd've",
        "y'alld've", "y'all'd've", "y'all'dve", "y'all'd've", "youd", "you'd", "youd've", "you'd've", "you'dve",
        "you'd've", "youll", "you'll", "youre", "you're", "youve", "you've"};
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return Map.copyOf(m);
  }
}
