package io.sparkvlm.ingest;

import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.ingest.download.DnsCache;
import io.sparkvlm.ingest.download.Downloader;
import io.sparkvlm.ingest.image.ImageProcessor;
import io.sparkvlm.ingest.input.InputRows;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One download shard, inside one Spark task: every input row becomes exactly one output row (PairsSchema columns
 * then the carried ones), downloads running on {@code ingest.download.threads} threads. Row-level work is
 * {@link #processRow}, a plain function.
 */
final class ShardProcessor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardProcessor.class);

  private final IngestConfig config;
  private final Downloader downloader;
  private final ImageProcessor images;
  private final CaptionCleaner captions;
  private final AtomicLong bytes = new AtomicLong();

  ShardProcessor(IngestConfig config) {
    this.config = config;
    this.downloader = new Downloader(config.download());
    this.images = new ImageProcessor(config.image());
    this.captions = new CaptionCleaner(config.caption().maxChars());
  }

  /** Closes the downloader's connections. */
  @Override
  public void close() {
    downloader.close();
  }

  /** An input row with its position: shard, index in shard and key. */
  record Indexed(long index, Row row) implements java.io.Serializable {}

  /** Processes the shard's rows (in key order) and returns the output rows and stats. */
  Result process(int shard, List<Indexed> rows) throws Exception {
    Instant start = Instant.now();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(config.threads(), rows.size())), r -> {
      Thread t = new Thread(r, "ingest-shard-" + shard);
      t.setDaemon(true);
      return t;
    });
    List<Row> out = new ArrayList<>(rows.size());
    try {
      List<Future<Row>> futures = new ArrayList<>();
      for (Indexed r : rows) {
        futures.add(pool.submit(() -> processRow(key(shard, r.index()), r.row())));
      }
      for (Future<Row> f : futures) {
        out.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    Instant end = Instant.now();
    Map<String, Long> byStatus = new LinkedHashMap<>();
    Map<String, Long> errors = new HashMap<>();
    for (Row r : out) {
      byStatus.merge(r.getString(STATUS), 1L, Long::sum);
      if (!r.isNullAt(ERROR)) {
        errors.merge(r.getString(ERROR).replaceAll("[0-9a-f]{8,}|\\d+", "N"), 1L, Long::sum);
      }
    }
    Map<String, Long> topErrors = new LinkedHashMap<>();
    errors.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(ShardStats.MAX_ERRORS).forEach(e -> topErrors.put(e.getKey(), e.getValue()));
    double seconds = (end.toEpochMilli() - start.toEpochMilli()) / 1000.0;
    ShardStats stats = new ShardStats(shard, out.size(), byStatus.getOrDefault("success", 0L), byStatus, topErrors,
        start.toString(), end.toString(), seconds, bytes.get(), undecodable(rows));
    DnsCache.Stats dns = downloader.dnsStats();
    LOG.info("shard {}: {} rows in {}s ({} rows/s) {}; JPEGs by {}; this executor's DNS cache so far: {} names "
        + "asked, {} looked up", shard, out.size(), String.format("%.1f", seconds),
        String.format("%.1f", out.size() / Math.max(seconds, 1e-3)), byStatus,
        images.jpegLibrary().describe(), dns.requests(), dns.lookups());
    return new Result(out, stats);
  }

  record Result(List<Row> rows, ShardStats stats) {}

  /** Input rows whose caption did not decode cleanly in the input's encoding. */
  static long undecodable(List<Indexed> rows) {
    return rows.stream().filter(r -> !r.row().isNullAt(2) && InputRows.undecodable(r.row().getString(2))).count();
  }

  static final int STATUS = PairsSchema.COLUMNS.fieldIndex(PairsSchema.STATUS);
  static final int ERROR = PairsSchema.COLUMNS.fieldIndex(PairsSchema.ERROR_MESSAGE);

  /** Digits of the shard number at the front of every row key. */
  static final int KEY_SHARD_DIGITS = 5;

  /**
   * A row's key: its shard in {@value #KEY_SHARD_DIGITS} digits, then its index in the shard in at least 4 (as
   * img2dataset's keys), so that keys sort in input order.
   */
  String key(int shard, long index) {
    int digits = Math.max(4, Long.toString(Math.max(1, config.rowsPerShard() - 1)).length());
    return String.format("%0" + KEY_SHARD_DIGITS + "d%0" + digits + "d", shard, index);
  }

  /** The shard of a key {@link #key} wrote. */
  static int shardOfKey(String key) {
    return Integer.parseInt(key.substring(0, KEY_SHARD_DIGITS));
  }

  /** One input row to one output row. Never throws: whatever goes wrong becomes the row's status. */
  Row processRow(String key, Row in) {
    String source = in.getString(0);
    String url = in.isNullAt(1) ? null : in.getString(1);
    String caption = captions.clean(in.isNullAt(2) ? null : in.getString(2));
    List<String> carried = new ArrayList<>();
    for (int i = InputRows.BASE.size(); i < in.size(); i++) {
      carried.add(in.isNullAt(i) ? null : in.get(i).toString());
    }
    try {
      if (!in.isNullAt(4)) {
        return failed(key, url, caption, source, carried, PairStatus.INVALID_INPUT, in.getString(4), null);
      }
      if (caption.length() < config.caption().minChars()) {
        return failed(key, url, caption, source, carried, PairStatus.REJECTED_CAPTION, "caption shorter than "
            + config.caption().minChars() + " characters", null);
      }
      byte[] bytes;
      if (!in.isNullAt(3)) {
        bytes = (byte[]) in.get(3);
      } else if (url == null || url.isBlank()) {
        return failed(key, url, caption, source, carried, PairStatus.INVALID_INPUT, "no URL", null);
      } else {
        Downloader.Outcome outcome = downloader.fetch(url);
        if (outcome instanceof Downloader.Failed f) {
          return failed(key, url, caption, source, carried, f.status(), f.message(), null);
        }
        bytes = ((Downloader.Fetched) outcome).body();
        this.bytes.addAndGet(bytes.length);
      }
      String sha256 = sha256(bytes);
      ImageProcessor.Result result = images.process(bytes);
      if (result instanceof ImageProcessor.Rejected r) {
        return failed(key, url, caption, source, carried, r.status(), r.message(), sha256);
      }
      ImageProcessor.Processed p = (ImageProcessor.Processed) result;
      return row(key, url, caption, p.bytes(), p.format(), p.width(), p.height(), p.originalWidth(),
          p.originalHeight(), sha256, p.phash(), PairStatus.SUCCESS, null, source, carried);
    } catch (RuntimeException | OutOfMemoryError e) {
      return failed(key, url, caption, source, carried, PairStatus.FAILED_TO_DECODE, "unexpected: " + e, null);
    }
  }

  private static Row failed(String key, String url, String caption, String source, List<String> carried,
      PairStatus status, String message, String sha256) {
    return row(key, url, caption, null, null, null, null, null, null, sha256, null, status, message, source,
        carried);
  }

  private static Row row(String key, String url, String caption, byte[] image, String format, Integer width,
      Integer height, Integer ow, Integer oh, String sha256, Long phash, PairStatus status, String error,
      String source, List<String> carried) {
    List<Object> values = new ArrayList<>(); // PairsSchema.COLUMNS order
    values.add(key);
    values.add(url);
    values.add(caption);
    values.add(image);
    values.add(format);
    values.add(width);
    values.add(height);
    values.add(ow);
    values.add(oh);
    values.add(sha256);
    values.add(phash);
    values.add(status.value());
    values.add(error);
    values.add(source);
    values.add(null); // duplicate_of: set when the dataset is finalised
    values.addAll(carried);
    return RowFactory.create(values.toArray());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
