package io.sparkvlm.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small-file helpers over any Hadoop file system (local, hdfs://, s3a://). */
public final class HadoopFiles {
  private HadoopFiles() {}

  /**
   * Writes {@code bytes} to {@code target} so that readers see either the old file or the whole new one: write a
   * hidden temporary sibling, then rename over. (On S3 the object only appears when its upload completes, which
   * gives the same guarantee.)
   */
  public static void writeAtomically(Path target, byte[] bytes, Configuration conf) throws IOException {
    writeAtomically(target, out -> out.write(bytes), conf);
  }

  /** What writes a file's contents to its stream. */
  @FunctionalInterface
  public interface Contents {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes what {@code contents} streams to {@code target}, atomically as {@link #writeAtomically(Path, byte[],
   * Configuration)} does, without holding the file in memory. A failure while writing leaves the old file (or none).
   */
  public static void writeAtomically(Path target, Contents contents, Configuration conf) throws IOException {
    FileSystem fs = target.getFileSystem(conf);
    Path tmp = new Path(target.getParent(), "._tmp-" + target.getName() + "-" + UUID.randomUUID());
    try (OutputStream out = fs.create(tmp, true)) {
      contents.writeTo(out);
    } catch (IOException | RuntimeException e) {
      fs.delete(tmp, false);
      throw e;
    }
    if (fs.exists(target)) {
      fs.delete(target, false);
    }
    if (!fs.rename(tmp, target)) {
      fs.delete(tmp, false);
      throw new IOException("Could not rename " + tmp + " to " + target);
    }
  }

  public static byte[] readAll(Path file, Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    try (InputStream in = fs.open(file)) {
      return in.readAllBytes();
    }
  }

  /** True when {@code path} exists and is a non-empty folder or a file. */
  public static boolean existsWithContent(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    if (!fs.exists(path)) {
      return false;
    }
    if (!fs.getFileStatus(path).isDirectory()) {
      return true;
    }
    return fs.listStatus(path).length > 0;
  }

  /** Those of {@code paths} that do not exist, in order. */
  public static List<String> missing(List<String> paths, Configuration conf) throws IOException {
    List<String> missing = new ArrayList<>();
    for (String path : paths) {
      Path p = new Path(path);
      if (!p.getFileSystem(conf).exists(p)) {
        missing.add(path);
      }
    }
    return missing;
  }
}
