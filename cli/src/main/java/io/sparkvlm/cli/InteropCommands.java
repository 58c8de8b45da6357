package io.sparkvlm.cli;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.interop.openclip.OpenClipError;
import io.sparkvlm.interop.openclip.OpenClipExport;
import io.sparkvlm.interop.openclip.OpenClipImport;
import io.sparkvlm.interop.safetensors.DType;
import io.sparkvlm.interop.safetensors.SafetensorsError;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vlm import openclip} and {@code vlm export openclip}: OpenCLIP weights in and out of spark-vlm CLIP
 * checkpoints (the interop module), locally, without Spark; paths are Hadoop paths (local, HDFS, s3a). Exit codes
 * as the stages': 2 for input that cannot be mapped (named in the message), 1 for a failure while working.
 */
final class InteropCommands {
  private InteropCommands() {}

  /** A command that only groups its subcommands: run alone, it prints its usage and exits 2. */
  abstract static class Group implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getErr());
      return JobLauncher.USAGE;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Bring weights from another library into a spark-vlm checkpoint.",
      subcommands = {Import.OpenClip.class})
  static final class Import extends Group {

    @Command(name = "openclip", mixinStandardHelpOptions = true,
        description = "An OpenCLIP CLIP (safetensors state dict + model-config JSON) as a spark-vlm CLIP checkpoint, "
            + "with OpenCLIP's tokenizer.")
    static final class OpenClip implements Callable<Integer> {
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Option(names = "--weights", required = true, description = "the state dict, a .safetensors file")
      String weights;

      @Option(names = "--model-config", required = true,
          description = "OpenCLIP's model config JSON (e.g. open_clip/model_configs/ViT-B-32.json), or an "
              + "open_clip_config.json, whose preprocess_cfg (interpolation, resize_mode, fill_color) the checkpoint "
              + "keeps; OpenCLIP's defaults otherwise (bicubic, shortest side)")
      String modelConfig;

      @Option(names = "--out", required = true, description = "the checkpoint folder to write")
      String out;

      @Option(names = "--name", description = "the model's name (default: clip- and the config file's name)")
      String name;

      @Option(names = "--overwrite", description = "replace a checkpoint already at --out")
      boolean overwrite;

      @Override
      public Integer call() {
        return report(spec, "import openclip", () -> {
          ClipShape s = OpenClipImport.run(new OpenClipImport.Request(weights, modelConfig, out,
              Optional.ofNullable(name), overwrite), new Configuration());
          return "imported " + s.name() + " (" + s.params() + " parameters) into " + out;
        });
      }
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write a spark-vlm checkpoint in another library's format.",
      subcommands = {Export.OpenClip.class})
  static final class Export extends Group {

    @Command(name = "openclip", mixinStandardHelpOptions = true,
        description = "A spark-vlm CLIP checkpoint as a folder open_clip.create_model('local-dir:FOLDER') loads "
            + "(open_clip_model.safetensors, open_clip_config.json).")
    static final class OpenClip implements Callable<Integer> {
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Option(names = "--checkpoint", required = true, description = "a CLIP checkpoint or training run folder")
      String checkpoint;

      @Option(names = "--out", required = true, description = "the folder to write")
      String out;

      @Option(names = "--dtype", description = "F32, F16 or BF16 (default: ${DEFAULT-VALUE})")
      DType dtype = DType.F32;

      @Option(names = "--overwrite", description = "replace a folder already at --out")
      boolean overwrite;

      @Override
      public Integer call() {
        return report(spec, "export openclip", () -> {
          ClipShape s = OpenClipExport.run(new OpenClipExport.Request(checkpoint, out, dtype, overwrite),
              new Configuration());
          return "exported " + s.name() + " to " + out + " (open_clip.create_model('local-dir:" + out + "'))";
        });
      }
    }
  }

  private interface Work {
    String run() throws IOException;
  }

  /** Runs {@code work}; prints its summary, or the error: 2 for input that does not map, 1 for other failures. */
  private static int report(picocli.CommandLine.Model.CommandSpec spec, String what, Work work) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      out.println("vlm " + what + ": " + work.run());
      return JobLauncher.OK;
    } catch (OpenClipError | SafetensorsError | CheckpointError | FileNotFoundException
        | java.nio.file.FileAlreadyExistsException | IllegalArgumentException e) {
      err.println("vlm " + what + ": " + e.getMessage());
      return JobLauncher.USAGE;
    } catch (IOException | RuntimeException e) {
      err.println("vlm " + what + " failed: " + e);
      return JobLauncher.FAILED;
    }
  }
}
