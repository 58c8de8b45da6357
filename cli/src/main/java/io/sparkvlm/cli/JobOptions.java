package io.sparkvlm.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every stage subcommand takes; passed on unchanged to the stage's main class. */
public final class JobOptions {
  @Option(names = "--config", paramLabel = "FILE",
      description = "HOCON config file (local, hdfs://, s3a:// or classpath:conf/...); repeatable, later files win")
  List<String> configFiles = new ArrayList<>();

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "override one config key; repeatable")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--overwrite", description = "replace existing outputs (same as --conf output.overwrite=true)")
  boolean overwrite;

  /** The same arguments in the form the stage main classes (and spark-submit) take. */
  String[] toJobArgs() {
    List<String> args = new ArrayList<>();
    for (String f : configFiles) {
      args.add("--config");
      args.add(f);
    }
    for (String o : overrides) {
      args.add("--conf");
      args.add(o);
    }
    if (overwrite) {
      args.add("--overwrite");
    }
    return args.toArray(String[]::new);
  }
}
