package io.sparkvlm.ingest;

import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.job.OutputSettings;
import io.sparkvlm.ingest.download.Downloader;
import io.sparkvlm.ingest.download.DnsCache;
import io.sparkvlm.ingest.download.UrlGuard;
import io.sparkvlm.ingest.image.ImageProcessor;
import io.sparkvlm.ingest.image.JpegLibrary;
import io.sparkvlm.ingest.image.OutputFormat;
import io.sparkvlm.ingest.image.ResizeMode;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/** The {@code ingest} config section; {@code shardSettings} are the values that decide a download shard's rows. */
public record IngestConfig(Input input, String output, String work, int rowsPerShard, boolean retryFailed,
    boolean overwrite, Downloader.Settings download, ImageProcessor.Settings image, Captions caption,
    Dedup dedup, int threads, ShardSettings shardSettings) implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Input kinds. */
  public enum Format { CSV, TSV, JSONL, PARQUET, WEBDATASET, FOLDER }

  /**
   * The input; {@code captionColumn} is null for a URL list without captions; {@code encoding} is the charset of its
   * text (CSV, TSV, JSON lines, caption .txt files).
   */
  public record Input(String path, Format format, String urlColumn, String captionColumn, List<String> carry,
      String encoding) implements Serializable {
    private static final long serialVersionUID = 1L;

    public java.nio.charset.Charset charset() {
      return java.nio.charset.Charset.forName(encoding);
    }
  }

  public record Captions(int maxChars, int minChars) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  public record Dedup(boolean exact, boolean near, int hammingThreshold) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** The input's charset by its canonical name; an unknown one names the key. */
  private static String encoding(ConfigReader c) {
    String name = c.nonEmptyString("ingest.input.encoding");
    try {
      return java.nio.charset.Charset.forName(name).name();
    } catch (IllegalArgumentException e) {
      throw new ConfigError("ingest.input.encoding", "Config key 'ingest.input.encoding' = '" + name + "' is not a "
          + "charset this JVM knows (e.g. UTF-8, ISO-8859-1, windows-1252, UTF-16)");
    }
  }

  public static IngestConfig from(ConfigReader c) {
    Input input = new Input(c.nonEmptyString("ingest.input.path"), c.oneOf("ingest.input.format", Format.class),
        c.nonEmptyString("ingest.input.url-column"),
        c.isSet("ingest.input.caption-column") ? c.nonEmptyString("ingest.input.caption-column") : null,
        c.stringList("ingest.input.carry"), encoding(c));
    UrlGuard guard;
    try {
      guard = new UrlGuard(c.stringList("ingest.download.allow-cidrs"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError("ingest.download.allow-cidrs", "Config key 'ingest.download.allow-cidrs': "
          + e.getMessage());
    }
    Downloader.Settings download = new Downloader.Settings(
        c.durationIn("ingest.download.connect-timeout", Duration.ofMillis(10), Duration.ofMinutes(5)),
        c.durationIn("ingest.download.timeout", Duration.ofMillis(10), Duration.ofHours(1)),
        c.intIn("ingest.download.retries", 0, 20),
        c.durationIn("ingest.download.backoff", Duration.ZERO, Duration.ofMinutes(10)),
        c.longIn("ingest.download.max-bytes", 1024, 1L << 32),
        c.intIn("ingest.download.max-redirects", 0, 50),
        c.nonEmptyString("ingest.download.user-agent"),
        c.stringList("ingest.download.opt-out-directives").stream().map(String::toLowerCase).toList(),
        c.intIn("ingest.download.per-host-concurrency", 1, 1024), guard,
        new DnsCache.Settings(c.durationIn("ingest.download.dns.ttl", Duration.ZERO, Duration.ofDays(1)),
            c.durationIn("ingest.download.dns.negative-ttl", Duration.ZERO, Duration.ofDays(1)),
            c.intIn("ingest.download.dns.max-entries", 1, 10_000_000)));
    ImageProcessor.Settings image = new ImageProcessor.Settings(
        c.oneOf("ingest.image.resize-mode", ResizeMode.class), c.intIn("ingest.image.size", 8, 8192),
        c.bool("ingest.image.resize-only-if-bigger"), c.oneOf("ingest.image.output-format", OutputFormat.class),
        c.intIn("ingest.image.jpeg-quality", 1, 100),
        c.longIn("ingest.image.max-pixels", 1, 1L << 40), c.intIn("ingest.image.min-side", 1, 100_000),
        c.doubleIn("ingest.image.max-aspect-ratio", 1, 1e6), c.bool("ingest.image.reduced-decode"),
        c.oneOf(ShardSettings.JPEG_LIBRARY, JpegLibrary.class));
    return new IngestConfig(input, c.nonEmptyString("ingest.output"), c.nonEmptyString("ingest.work"),
        c.intIn("ingest.rows-per-shard", 1, 10_000_000), c.bool("ingest.retry-failed"),
        c.bool(OutputSettings.OVERWRITE), download, image,
        new Captions(c.intIn("ingest.caption.max-chars", 1, 1_000_000), c.intIn("ingest.caption.min-chars", 0,
            1_000_000)),
        new Dedup(c.bool("ingest.dedup.exact"), c.bool("ingest.dedup.near"),
            c.intIn("ingest.dedup.hamming-threshold", 0, 32)),
        c.intIn("ingest.download.threads", 1, 1024), ShardSettings.from(c));
  }
}
