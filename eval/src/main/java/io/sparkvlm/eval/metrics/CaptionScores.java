package io.sparkvlm.eval.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BLEU-1..4, ROUGE-L and CIDEr-D exactly as the COCO caption evaluation code (pycocoevalcap) computes them, on
 * tokenised captions (see {@link CaptionTokenizer}): one candidate and one or more references per image.
 */
public final class CaptionScores {
  private CaptionScores() {}

  /** Corpus scores: Bleu_1..4, ROUGE_L, CIDEr (pycocoevalcap's names). */
  public static Map<String, Double> all(Map<String, List<String>> refs, Map<String, String> candidates) {
    check(refs, candidates);
    Map<String, Double> out = new LinkedHashMap<>();
    double[] bleu = bleu(refs, candidates);
    for (int i = 0; i < 4; i++) {
      out.put("Bleu_" + (i + 1), bleu[i]);
    }
    out.put("ROUGE_L", rougeL(refs, candidates));
    out.put("CIDEr", ciderD(refs, candidates));
    return out;
  }

  private static void check(Map<String, List<String>> refs, Map<String, String> candidates) {
    if (!refs.keySet().equals(candidates.keySet())) {
      Set<String> missing = new HashSet<>(refs.keySet());
      missing.removeAll(candidates.keySet());
      Set<String> extra = new HashSet<>(candidates.keySet());
      extra.removeAll(refs.keySet());
      throw new IllegalArgumentException("captions and references differ in images: no candidate for "
          + first(missing) + ", no references for " + first(extra));
    }
    refs.forEach((id, r) -> {
      if (r.isEmpty()) {
        throw new IllegalArgumentException("image " + id + " has no reference captions");
      }
    });
  }

  private static String first(Set<String> s) {
    return s.isEmpty() ? "none" : s.size() + " images (e.g. " + s.iterator().next() + ")";
  }

  static String[] words(String s) {
    String t = s.trim();
    return t.isEmpty() ? new String[0] : t.split("\\s+");
  }

  /** n-gram counts of a sentence, n = 1..4, as pycocoevalcap's precook. */
  static Map<List<String>, Integer> ngrams(String s, int n) {
    String[] w = words(s);
    Map<List<String>, Integer> counts = new HashMap<>();
    for (int k = 1; k <= n; k++) {
      for (int i = 0; i + k <= w.length; i++) {
        counts.merge(List.of(w).subList(i, i + k), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Corpus BLEU-1..4 with "closest" reference length, as bleu_scorer.compute_score(option='closest'). */
  public static double[] bleu(Map<String, List<String>> refs, Map<String, String> candidates) {
    final int n = 4;
    final double small = 1e-9;
    final double tiny = 1e-15;
    double testLenTotal = 0;
    double refLenTotal = 0;
    double[] guess = new double[n];
    double[] correct = new double[n];
    for (Map.Entry<String, String> e : candidates.entrySet()) {
      Map<List<String>, Integer> maxRef = new HashMap<>();
      List<Integer> refLens = new ArrayList<>();
      for (String ref : refs.get(e.getKey())) {
        refLens.add(words(ref).length);
        ngrams(ref, n).forEach((g, c) -> maxRef.merge(g, c, Math::max));
      }
      int testLen = words(e.getValue()).length;
      // closest reference length; ties go to the shorter (Python's min over (abs diff, length) tuples)
      int best = refLens.get(0);
      for (int l : refLens) {
        if (Math.abs(l - testLen) < Math.abs(best - testLen)
            || (Math.abs(l - testLen) == Math.abs(best - testLen) && l < best)) {
          best = l;
        }
      }
      testLenTotal += testLen;
      refLenTotal += best;
      for (int k = 1; k <= n; k++) {
        guess[k - 1] += Math.max(0, testLen - k + 1);
      }
      for (Map.Entry<List<String>, Integer> g : ngrams(e.getValue(), n).entrySet()) {
        correct[g.getKey().size() - 1] += Math.min(maxRef.getOrDefault(g.getKey(), 0), g.getValue());
      }
    }
    double[] bleus = new double[n];
    double bleu = 1;
    for (int k = 0; k < n; k++) {
      bleu *= (correct[k] + tiny) / (guess[k] + small);
      bleus[k] = Math.pow(bleu, 1.0 / (k + 1));
    }
    double ratio = (testLenTotal + tiny) / (refLenTotal + small);
    if (ratio < 1) {
      for (int k = 0; k < n; k++) {
        bleus[k] *= Math.exp(1 - 1 / ratio);
      }
    }
    return bleus;
  }

  /** Mean over images of ROUGE-L with beta 1.2, best precision and best recall over references. */
  public static double rougeL(Map<String, List<String>> refs, Map<String, String> candidates) {
    final double beta = 1.2;
    double sum = 0;
    for (Map.Entry<String, String> e : candidates.entrySet()) {
      // pycocoevalcap splits on single spaces: an empty candidate is one empty token
      String[] c = e.getValue().split(" ", -1);
      double precMax = 0;
      double recMax = 0;
      for (String ref : refs.get(e.getKey())) {
        String[] r = ref.split(" ", -1);
        int lcs = lcs(r, c);
        precMax = Math.max(precMax, lcs / (double) c.length);
        recMax = Math.max(recMax, lcs / (double) r.length);
      }
      double score = precMax != 0 && recMax != 0
          ? ((1 + beta * beta) * precMax * recMax) / (recMax + beta * beta * precMax) : 0.0;
      sum += score;
    }
    return sum / candidates.size();
  }

  static int lcs(String[] a, String[] b) {
    int[][] len = new int[a.length + 1][b.length + 1];
    for (int i = 1; i <= a.length; i++) {
      for (int j = 1; j <= b.length; j++) {
        len[i][j] = a[i - 1].equals(b[j - 1]) ? len[i - 1][j - 1] + 1 : Math.max(len[i - 1][j], len[i][j - 1]);
      }
    }
    return len[a.length][b.length];
  }

  /**
   * CIDEr-D as pycocoevalcap's cider_scorer: TF-IDF n-gram vectors (n = 1..4) with document frequencies from the
   * references, candidate counts clipped at the reference's, Gaussian length penalty (sigma 6) on the difference of
   * bigram counts, averaged over n and references, times 10, averaged over images.
   */
  public static double ciderD(Map<String, List<String>> refs, Map<String, String> candidates) {
    double total = 0;
    Map<String, Double> per = ciderDPerImage(refs, candidates);
    for (double v : per.values()) {
      total += v;
    }
    return total / per.size();
  }

  /** CIDEr-D of each image (the corpus score is their mean). */
  public static Map<String, Double> ciderDPerImage(Map<String, List<String>> refs, Map<String, String> candidates) {
    final int n = 4;
    final double sigma = 6.0;
    Map<List<String>, Double> df = new HashMap<>();
    List<String> ids = new ArrayList<>(candidates.keySet());
    for (String id : ids) {
      Set<List<String>> seen = new HashSet<>();
      for (String ref : refs.get(id)) {
        seen.addAll(ngrams(ref, n).keySet());
      }
      seen.forEach(g -> df.merge(g, 1.0, Double::sum));
    }
    double refLen = Math.log(ids.size());
    Map<String, Double> perImage = new LinkedHashMap<>();
    for (String id : ids) {
      Vec hyp = Vec.of(ngrams(candidates.get(id), n), df, refLen, n);
      double[] score = new double[n];
      List<String> rs = refs.get(id);
      for (String ref : rs) {
        Vec r = Vec.of(ngrams(ref, n), df, refLen, n);
        double delta = hyp.length - r.length;
        for (int k = 0; k < n; k++) {
          double val = 0;
          for (Map.Entry<List<String>, Double> g : hyp.vec.get(k).entrySet()) {
            double rv = r.vec.get(k).getOrDefault(g.getKey(), 0.0);
            val += Math.min(g.getValue(), rv) * rv;
          }
          if (hyp.norm[k] != 0 && r.norm[k] != 0) {
            val /= hyp.norm[k] * r.norm[k];
          }
          val *= Math.exp(-(delta * delta) / (2 * sigma * sigma));
          score[k] += val;
        }
      }
      double mean = 0;
      for (double s : score) {
        mean += s;
      }
      mean /= n;
      mean /= rs.size();
      mean *= 10.0;
      perImage.put(id, mean);
    }
    return perImage;
  }

  private record Vec(List<Map<List<String>, Double>> vec, double[] norm, double length) {
    static Vec of(Map<List<String>, Integer> counts, Map<List<String>, Double> df, double refLen, int n) {
      List<Map<List<String>, Double>> vec = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        vec.add(new HashMap<>());
      }
      double[] norm = new double[n];
      double length = 0;
      for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
        int k = e.getKey().size() - 1;
        double weight = e.getValue() * (refLen - Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0.0))));
        vec.get(k).put(e.getKey(), weight);
        norm[k] += weight * weight;
        if (k == 1) {
          length += e.getValue(); // pycocoevalcap counts bigrams here
        }
      }
      for (int k = 0; k < n; k++) {
        norm[k] = Math.sqrt(norm[k]);
      }
      return new Vec(vec, norm, length);
    }
  }
}
