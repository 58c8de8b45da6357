package io.sparkvlm.cli;

import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.runtime.Nd4jBackends;
import io.sparkvlm.core.runtime.Versions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code vlm} command: one subcommand per stage, plus synth, demo, bench and config. */
@Command(name = "vlm", mixinStandardHelpOptions = true, versionProvider = Vlm.Version.class,
    description = "spark-vlm: web image-text pairs to evaluated vision-language models, as Spark jobs.",
    subcommands = {
        SynthCommand.class,
        StageCommands.Ingest.class,
        StageCommands.Filter.class,
        StageCommands.Pretrain.class,
        StageCommands.Align.class,
        StageCommands.Instruct.class,
        ChatCommand.class,
        DetectCommand.class,
        InteropCommands.Import.class,
        InteropCommands.Export.class,
        StageCommands.Eval.class,
        StageCommands.Demo.class,
        StageCommands.Bench.class,
        ConfigCommand.class,
        CommandLine.HelpCommand.class})
public final class Vlm implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return JobLauncher.USAGE;
  }

  public static CommandLine commandLine() {
    // picocli exits 2 on invalid input, like JobLauncher.USAGE; ND4J's backend failing in a local command (chat,
    // detect, bench) is said plainly, any other failure as picocli reports it
    return new CommandLine(new Vlm()).setExecutionExceptionHandler((e, command, parsed) -> {
      String why = Nd4jBackends.explain(e).orElseThrow(() -> e);
      command.getErr().println("vlm: " + why);
      return JobLauncher.FAILED;
    });
  }

  public static void main(String[] args) throws org.apache.spark.SparkException {
    io.sparkvlm.core.model.SameDiffStdout.quiet();
    int code;
    try {
      code = commandLine().execute(args);
    } catch (LinkageError e) {
      // the same for the Error that ND4J's first use throws
      String why = Nd4jBackends.explain(e).orElseThrow(() -> e);
      e.printStackTrace();
      System.err.println("vlm: " + why);
      code = JobLauncher.FAILED;
    }
    JobLauncher.exit(code);
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"spark-vlm " + Versions.codeVersion()};
    }
  }
}
