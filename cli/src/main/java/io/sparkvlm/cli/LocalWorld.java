package io.sparkvlm.cli;

import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.io.LocalFolders;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.ingest.IngestJob;
import io.sparkvlm.synth.SimulatedWeb;
import io.sparkvlm.synth.SynthJob;
import io.sparkvlm.synth.SyntheticWorld;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/** A synthetic world with its simulated web on 127.0.0.1, ingested into a pairs dataset: for the demo and benches. */
public final class LocalWorld {
  private LocalWorld() {}

  /** Settings for a synthetic world served on 127.0.0.1:{@code port} and its ingest into {@code pairs}. */
  public static List<String> synthAndIngestSettings(Path world, Path pairs, int scenes, int port) {
    return List.of(
        "synth.out=" + world, "synth.scenes=" + scenes,
        "synth.web.base-url=\"http://127.0.0.1:" + port + "\"", "synth.web.slow-delay=1s",
        "synth.web.hang-duration=6s",
        "ingest.input.path=" + world.resolve(SyntheticWorld.URLS_PARQUET), "ingest.input.format=parquet",
        "ingest.output=" + pairs, "ingest.rows-per-shard=500", "ingest.image.size=64",
        "ingest.download.allow-cidrs=[\"127.0.0.1/32\"]", "ingest.download.timeout=3s", "ingest.download.threads=32",
        "output.overwrite=true");
  }

  /** Generates the world, serves its web and ingests it (config from {@link #synthAndIngestSettings}). */
  public static DatasetManifest synthAndIngest(SparkSession spark, Config config, Path world, Path pairs)
      throws Exception {
    ConfigReader reader = new ConfigReader(config);
    LocalFolders.deleteTree(world); // the run's own world: made again whole, even over one a killed run left
    SynthJob synth = new SynthJob();
    JobLauncher.execute(synth, spark, config, synth.readConfig(reader));
    try (SimulatedWeb web = SimulatedWeb.start(world)) {
      IngestJob ingest = new IngestJob();
      LocalFolders.deleteTree(Path.of(pairs + "-work"));
      JobLauncher.execute(ingest, spark, config, ingest.readConfig(reader));
      return Datasets.readManifest(pairs.toString(), new Configuration());
    }
  }

  public static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
