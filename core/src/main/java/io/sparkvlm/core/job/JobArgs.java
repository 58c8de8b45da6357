package io.sparkvlm.core.job;

import io.sparkvlm.core.config.ConfigSources;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments every stage's main class takes (under spark-submit as under {@code vlm}):
 * {@code --config FILE} (repeatable), {@code --conf key=value} (repeatable), {@code --overwrite}, {@code --help}.
 */
public record JobArgs(ConfigSources sources, boolean help) {

  public static final String USAGE = String.join("\n",
      "Options:",
      "  --config FILE      a HOCON config file (local, hdfs://, s3a:// or classpath:conf/...); repeatable,",
      "                     later files win",
      "  --conf KEY=VALUE   override one key (wins over files); repeatable",
      "  --overwrite        replace existing outputs (same as --conf output.overwrite=true)",
      "  -h, --help         show this help");

  /** Thrown for arguments that cannot be understood; the message says which. */
  public static final class UsageError extends RuntimeException {
    public UsageError(String message) {
      super(message);
    }
  }

  public static JobArgs parse(String... args) {
    List<String> files = new ArrayList<>();
    List<String> overrides = new ArrayList<>();
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (arg.equals("--overwrite")) {
        overrides.add("output.overwrite=true");
      } else if (arg.equals("--config") || arg.equals("--conf")) {
        if (i + 1 >= args.length) {
          throw new UsageError(arg + " needs a value");
        }
        (arg.equals("--config") ? files : overrides).add(args[++i]);
      } else if (arg.startsWith("--config=")) {
        files.add(arg.substring("--config=".length()));
      } else if (arg.startsWith("--conf=")) {
        overrides.add(arg.substring("--conf=".length()));
      } else {
        throw new UsageError("Unknown argument '" + arg + "'");
      }
    }
    return new JobArgs(new ConfigSources(files, overrides), help);
  }
}
