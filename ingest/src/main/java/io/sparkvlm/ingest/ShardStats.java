package io.sparkvlm.ingest;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code stats/shard-NNNNN.json}: what happened in one download shard (img2dataset's {shard}_stats.json).
 *
 * @param shard shard number
 * @param count rows in the shard
 * @param successes rows with status success
 * @param byStatus rows by status
 * @param errors the most frequent error messages (numbers and ids folded), capped at {@value #MAX_ERRORS}
 * @param startedAt ISO-8601
 * @param finishedAt ISO-8601
 * @param seconds wall time of the shard
 * @param bytesDownloaded bytes downloaded
 * @param undecodableCaptions rows whose caption had bytes invalid in the input's encoding (decoded as U+FFFD, so
 *     counted here instead of passing unnoticed); 0 in stats written before the count existed
 */
public record ShardStats(int shard, long count, long successes, Map<String, Long> byStatus,
    Map<String, Long> errors, String startedAt, String finishedAt, double seconds, long bytesDownloaded,
    long undecodableCaptions)
    implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final int MAX_ERRORS = 20;

  public ShardStats {
    byStatus = new TreeMap<>(byStatus);
    errors = new TreeMap<>(errors);
  }
}
