package io.sparkvlm.cli;

import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.synth.FashionMnist;
import io.sparkvlm.synth.SimulatedWeb;
import io.sparkvlm.synth.SynthJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vlm synth}: the synthetic world, its simulated web, and the Fashion-MNIST reader. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = "Generate the synthetic web world (scenes, captions, noise labels, eval sets, simulated web).",
    subcommands = {SynthCommand.Serve.class, SynthCommand.Fashion.class})
final class SynthCommand implements Callable<Integer> {
  @Option(names = "--out", paramLabel = "DIR", description = "output folder (synth.out)")
  String out;

  @Option(names = "--scenes", paramLabel = "N", description = "number of scenes (synth.scenes)")
  Integer scenes;

  @Option(names = "--seed", paramLabel = "S", description = "random seed (synth.seed)")
  Long seed;

  @Option(names = "--image-size", paramLabel = "PX", description = "image side in pixels (synth.image-size)")
  Integer imageSize;

  @Mixin JobOptions options;

  @Override
  public Integer call() {
    List<String> args = new ArrayList<>(List.of(options.toJobArgs()));
    if (out != null) {
      args.addAll(List.of("--conf", "synth.out=" + out));
    }
    if (scenes != null) {
      args.addAll(List.of("--conf", "synth.scenes=" + scenes));
    }
    if (seed != null) {
      args.addAll(List.of("--conf", "synth.seed=" + seed));
    }
    if (imageSize != null) {
      args.addAll(List.of("--conf", "synth.image-size=" + imageSize));
    }
    return SynthJob.run(args.toArray(String[]::new));
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve a generated world's web images on 127.0.0.1 with its faults, until stopped.")
  static final class Serve implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "a folder written by vlm synth")
    Path dir;

    @Option(names = "--port", description = "port (default: the port of the world's synth.web.base-url)")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
      if (!Files.exists(dir.resolve("world.json"))) {
        System.err.println("synth serve: " + dir + " has no world.json; generate it with vlm synth --out " + dir);
        return JobLauncher.USAGE;
      }
      SimulatedWeb web = SimulatedWeb.start(dir, port == null ? -1 : port);
      System.err.println("serving " + dir + " at " + web.baseUrl() + " (Ctrl-C to stop)");
      Runtime.getRuntime().addShutdownHook(new Thread(web::close));
      new CountDownLatch(1).await();
      return JobLauncher.OK;
    }
  }

  @Command(name = "fashion-mnist", mixinStandardHelpOptions = true,
      description = "Write Fashion-MNIST (Debian's dataset-fashion-mnist) as an image folder with captions and a"
          + " zero-shot set.")
  static final class Fashion implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--source", paramLabel = "DIR", description = "folder with the IDX .gz files (default: ${DEFAULT-VALUE})")
    Path source = FashionMnist.DEBIAN_DIR;

    @Option(names = "--limit", paramLabel = "N", description = "images per split, 0 for all (default: ${DEFAULT-VALUE})")
    int limit = 0;

    @Option(names = "--seed", description = "caption template seed (default: ${DEFAULT-VALUE})")
    long seed = 7;

    @Override
    public Integer call() {
      try {
        int n = FashionMnist.write(source, out, limit, seed);
        System.err.println("fashion-mnist: wrote " + n + " images to " + out);
        return JobLauncher.OK;
      } catch (IOException e) {
        System.err.println("fashion-mnist: " + e.getMessage());
        return JobLauncher.FAILED;
      }
    }
  }
}
