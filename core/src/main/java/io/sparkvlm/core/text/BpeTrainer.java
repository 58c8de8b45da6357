package io.sparkvlm.core.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Learns byte-level BPE merges from a text corpus. The pre-tokens are counted with Spark (the corpus never goes to
 * the driver, only its distinct pre-tokens and their counts); merges are then learned on the driver, each step
 * merging the most frequent adjacent pair (ties: the lexicographically smallest pair, so training is
 * deterministic), until the vocabulary reaches the target size or no pair occurs {@code minFrequency} times.
 * Vocabulary: the special tokens (ids 0..), the 256 byte symbols, then one token per merge.
 */
public final class BpeTrainer {
  private BpeTrainer() {}

  public static BpeTokenizer train(JavaRDD<String> texts, int vocabSize, int minFrequency) {
    Map<String, Long> counts = new HashMap<>(texts
        .flatMap(t -> ByteLevel.split(t).stream().map(ByteLevel::encode).iterator())
        .mapToPair(w -> new Tuple2<>(w, 1L))
        .reduceByKey(Long::sum)
        .collectAsMap());
    return train(counts, vocabSize, minFrequency);
  }

  /** Learns merges from pre-token counts (byte-level strings). */
  public static BpeTokenizer train(Map<String, Long> wordCounts, int vocabSize, int minFrequency) {
    int base = SpecialTokens.ALL.size() + 256;
    if (vocabSize < base) {
      throw new IllegalArgumentException("vocabulary size " + vocabSize + " is smaller than the " + base
          + " special and byte tokens");
    }
    List<String> wordList = new ArrayList<>(wordCounts.keySet());
    wordList.sort(null); // deterministic order
    List<List<String>> words = new ArrayList<>();
    long[] freq = new long[wordList.size()];
    Map<String, Long> pairCounts = new HashMap<>();
    Map<String, Set<Integer>> where = new HashMap<>();
    for (int w = 0; w < wordList.size(); w++) {
      List<String> symbols = new ArrayList<>();
      wordList.get(w).codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
      words.add(symbols);
      freq[w] = wordCounts.get(wordList.get(w));
      addPairs(symbols, w, freq[w], pairCounts, where, 1);
    }
    List<String> merges = new ArrayList<>();
    while (base + merges.size() < vocabSize) {
      String best = null;
      long bestCount = 0;
      for (Map.Entry<String, Long> e : pairCounts.entrySet()) {
        long c = e.getValue();
        if (c > bestCount || (c == bestCount && c > 0 && e.getKey().compareTo(best) < 0)) {
          best = e.getKey();
          bestCount = c;
        }
      }
      if (best == null || bestCount < minFrequency) {
        break;
      }
      merges.add(best);
      int space = best.indexOf(' ');
      String left = best.substring(0, space);
      String right = best.substring(space + 1);
      for (int w : new ArrayList<>(where.getOrDefault(best, Set.of()))) {
        List<String> symbols = words.get(w);
        addPairs(symbols, w, freq[w], pairCounts, where, -1);
        List<String> merged = new ArrayList<>();
        for (int i = 0; i < symbols.size(); i++) {
          if (i + 1 < symbols.size() && symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
            merged.add(left + right);
            i++;
          } else {
            merged.add(symbols.get(i));
          }
        }
        words.set(w, merged);
        addPairs(merged, w, freq[w], pairCounts, where, 1);
      }
      pairCounts.remove(best);
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : SpecialTokens.ALL) {
      vocab.put(s, vocab.size());
    }
    for (String b : ByteLevel.alphabet()) {
      vocab.put(b, vocab.size());
    }
    for (String m : merges) {
      vocab.putIfAbsent(m.replace(" ", ""), vocab.size());
    }
    return new BpeTokenizer(vocab, merges, SpecialTokens.ALL);
  }

  private static void addPairs(List<String> symbols, int w, long freq, Map<String, Long> pairCounts,
      Map<String, Set<Integer>> where, int sign) {
    for (int i = 0; i + 1 < symbols.size(); i++) {
      String pair = symbols.get(i) + " " + symbols.get(i + 1);
      long c = pairCounts.merge(pair, sign * freq, Long::sum);
      if (sign > 0) {
        where.computeIfAbsent(pair, k -> new HashSet<>()).add(w);
      } else if (c <= 0) {
        pairCounts.remove(pair);
      }
    }
  }
}
