package io.sparkvlm.cli;

import com.typesafe.config.Config;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.config.EffectiveConfig;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.spark.SparkSettings;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vlm config show}: the effective configuration, after defaults, files and overrides; {@code vlm config
 * presets}: the model presets' sizes.
 */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Inspect the configuration.",
    subcommands = {ConfigCommand.Show.class, ConfigCommand.Presets.class})
final class ConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return JobLauncher.USAGE;
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print the effective configuration (secrets redacted); fails naming any bad key.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin JobOptions options;

    @Option(names = "--origins", description = "print where each value was set")
    boolean origins;

    @Option(names = "--section", paramLabel = "KEY", description = "print only this section, e.g. spark")
    String section;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ConfigSources sources = new ConfigSources(options.configFiles, options.overrides);
      if (options.overwrite) {
        sources = sources.withOverride("output.overwrite=true");
      }
      try {
        Config config = ConfigLoader.load(sources);
        SparkSettings.from(new ConfigReader(config));
        if (section != null) {
          if (!config.hasPath(section)) {
            err.println("config show: no section '" + section + "'");
            return JobLauncher.USAGE;
          }
          config = config.withOnlyPath(section);
        }
        out.print(EffectiveConfig.toHocon(config, origins));
        out.flush();
        return JobLauncher.OK;
      } catch (ConfigError e) {
        err.println("configuration error: " + e.getMessage());
        return JobLauncher.USAGE;
      }
    }
  }

  @Command(name = "presets", mixinStandardHelpOptions = true,
      description = "Parameters and FLOPs per sample of each model preset (conf/models), for every model kind.")
  static final class Presets implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.println(String.join("\n", io.sparkvlm.core.model.ModelSizes.table()));
      out.flush();
      return JobLauncher.OK;
    }
  }
}
