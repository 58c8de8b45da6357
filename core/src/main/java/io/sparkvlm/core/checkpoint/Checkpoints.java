package io.sparkvlm.core.checkpoint;

import io.sparkvlm.core.io.HadoopFiles;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoint folders on any Hadoop path. A checkpoint's files are written under a hidden temporary name next to
 * its target and renamed into place; {@code manifest.json} is written last, into the final folder. A folder with a
 * manifest is complete; anything else is debris from an interrupted write and is ignored by
 * {@link #latestComplete}. (On local file systems and HDFS the rename is atomic; on S3 it is a copy, which is why
 * the manifest comes after it.)
 */
public final class Checkpoints {
  private static final String TMP_PREFIX = "._tmp-";
  private static final String OLD_PREFIX = "._old-";

  private Checkpoints() {}

  /** Writes a checkpoint's files into a folder it is given (model zips, tokenizer, ...). */
  @FunctionalInterface
  public interface Contents {
    void writeTo(FileSystem fs, Path folder) throws IOException;
  }

  /**
   * Writes a checkpoint at {@code location}. Refuses when something is already there unless {@code overwrite};
   * with {@code overwrite} the old checkpoint is replaced only after the new one is complete.
   */
  public static void write(String location, boolean overwrite, CheckpointManifest manifest, Contents contents,
      Configuration conf) throws IOException {
    Path target = new Path(location);
    FileSystem fs = target.getFileSystem(conf);
    if (fs.exists(target) && !overwrite) {
      throw new CheckpointError("Checkpoint " + location + " already exists; pass --overwrite"
          + " (output.overwrite = true) to replace it");
    }
    Path parent = target.getParent();
    fs.mkdirs(parent);
    Path tmp = new Path(parent, TMP_PREFIX + target.getName() + "-" + UUID.randomUUID());
    fs.mkdirs(tmp);
    try {
      contents.writeTo(fs, tmp);
    } catch (IOException | RuntimeException e) {
      fs.delete(tmp, true);
      throw e;
    }
    Path old = null;
    if (fs.exists(target)) {
      old = new Path(parent, OLD_PREFIX + target.getName() + "-" + UUID.randomUUID());
      if (!fs.rename(target, old)) {
        fs.delete(tmp, true);
        throw new IOException("Could not move the old checkpoint " + target + " aside");
      }
    }
    if (!fs.rename(tmp, target)) {
      if (old != null) {
        fs.rename(old, target);
      }
      fs.delete(tmp, true);
      throw new IOException("Could not rename " + tmp + " to " + target);
    }
    // The manifest goes in last, after the rename: on S3 a folder rename is a copy of each file, so a manifest
    // inside the temporary folder could land before the model files do.
    HadoopFiles.writeAtomically(new Path(target, CheckpointManifest.FILE_NAME), manifest.toJson(), conf);
    if (old != null) {
      fs.delete(old, true);
    }
  }

  /**
   * Deletes the folder at {@code location} when it holds no manifest: a write stopped between moving the folder into
   * place and writing the manifest (on S3 the move copies file by file). A training run calls it for its own
   * step folders before saving one, so such debris does not block the step for good on a resumed run.
   *
   * @return whether a folder was deleted
   */
  public static boolean removeIncomplete(String location, Configuration conf) throws IOException {
    Path target = new Path(location);
    FileSystem fs = target.getFileSystem(conf);
    if (!fs.exists(target) || fs.exists(new Path(target, CheckpointManifest.FILE_NAME))) {
      return false;
    }
    return fs.delete(target, true);
  }

  public static CheckpointManifest readManifest(String location, Configuration conf) throws IOException {
    Path manifest = new Path(location, CheckpointManifest.FILE_NAME);
    FileSystem fs = manifest.getFileSystem(conf);
    if (!fs.exists(manifest)) {
      throw new CheckpointError("No complete checkpoint at " + location + ": it has no "
          + CheckpointManifest.FILE_NAME);
    }
    return manifest(manifest, conf);
  }

  /** The manifest file {@code manifest}; text that is not a manifest this version reads is named with its path. */
  private static CheckpointManifest manifest(Path manifest, Configuration conf) throws IOException {
    byte[] json = HadoopFiles.readAll(manifest, conf);
    try {
      return CheckpointManifest.fromJson(json);
    } catch (IOException e) {
      throw new CheckpointError(manifest + " is not a checkpoint manifest this spark-vlm reads: " + e.getMessage(),
          e);
    }
  }

  /** The complete checkpoint with the highest step directly under {@code folder}, if any. */
  public static Optional<String> latestComplete(String folder, Configuration conf) throws IOException {
    Path dir = new Path(folder);
    FileSystem fs = dir.getFileSystem(conf);
    if (!fs.exists(dir)) {
      return Optional.empty();
    }
    String best = null;
    long bestStep = Long.MIN_VALUE;
    for (FileStatus child : fs.listStatus(dir)) {
      String name = child.getPath().getName();
      if (!child.isDirectory() || name.startsWith(".") || name.startsWith("_")) {
        continue;
      }
      Path manifest = new Path(child.getPath(), CheckpointManifest.FILE_NAME);
      if (!fs.exists(manifest)) {
        continue;
      }
      long step = manifest(manifest, conf).step();
      if (step > bestStep) {
        bestStep = step;
        best = child.getPath().toString();
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * A checkpoint folder as given (it has a manifest), or a run folder's newest complete checkpoint (under
   * {@code checkpoints/}); neither is an error naming both places looked at.
   */
  public static String resolve(String location, Configuration conf) throws IOException {
    Path manifest = new Path(location, CheckpointManifest.FILE_NAME);
    if (manifest.getFileSystem(conf).exists(manifest)) {
      return location;
    }
    return latestComplete(new Path(location, "checkpoints").toString(), conf)
        .orElseThrow(() -> new CheckpointError("No checkpoint at " + location + ": it has no "
            + CheckpointManifest.FILE_NAME + " and no complete checkpoint under " + location + "/checkpoints"));
  }

  /** The conventional folder name for a checkpoint at {@code step}: {@code step-00001234}. */
  public static String nameForStep(long step) {
    return String.format("step-%08d", step);
  }
}
