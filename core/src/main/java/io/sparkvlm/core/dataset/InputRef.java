package io.sparkvlm.core.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * An input recorded in a manifest, with a hash that changes when the input does.
 *
 * @param path the input's Hadoop path (or glob) as given
 * @param kind how the hash was taken: {@code dataset} (sha256 of its {@code _manifest.json}), {@code file}
 *     (sha256 of the content, for files up to {@value #CONTENT_HASH_LIMIT} bytes) or {@code listing} (sha256 of
 *     the sorted list of relative names, sizes and modification times, for folders, large files and globs)
 * @param sha256 the hash, hex
 */
public record InputRef(String path, String kind, String sha256) {

  /** Files larger than this are hashed by listing rather than content (64 MiB). */
  public static final long CONTENT_HASH_LIMIT = 64L << 20;

  /** The characters that make a Hadoop path a glob. */
  private static final String GLOB_CHARACTERS = "*?[{";

  public static InputRef of(String location, Configuration hadoopConf) throws IOException {
    Path path = new Path(location);
    FileSystem fs = path.getFileSystem(hadoopConf);
    if (location.chars().anyMatch(ch -> GLOB_CHARACTERS.indexOf(ch) >= 0)) {
      // a glob (an ingest input may be one): the listing of everything it matches
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new java.io.FileNotFoundException(location + ": matches no file or folder");
      }
      List<String> lines = new ArrayList<>();
      for (FileStatus m : matches) {
        lines.add(m.getPath() + "\t" + (m.isDirectory() ? listingHash(fs, m.getPath()) : m.getLen() + "\t"
            + m.getModificationTime()));
      }
      return new InputRef(location, "listing", sha256(lines));
    }
    FileStatus status = fs.getFileStatus(path);
    if (status.isDirectory()) {
      Path manifest = new Path(path, DatasetManifest.FILE_NAME);
      if (fs.exists(manifest)) {
        return new InputRef(location, "dataset", sha256(fs, manifest));
      }
      return new InputRef(location, "listing", listingHash(fs, path));
    }
    if (status.getLen() <= CONTENT_HASH_LIMIT) {
      return new InputRef(location, "file", sha256(fs, path));
    }
    return new InputRef(location, "listing", listingHash(fs, path));
  }

  private static String sha256(FileSystem fs, Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = fs.open(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String listingHash(FileSystem fs, Path root) throws IOException {
    List<String> lines = new ArrayList<>();
    String prefix = fs.makeQualified(root).toString();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      LocatedFileStatus f = files.next();
      String name = f.getPath().toString();
      String relative = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
      lines.add(relative + "\t" + f.getLen() + "\t" + f.getModificationTime());
    }
    return sha256(lines);
  }

  /** The sha256 of the lines sorted, one per line. */
  private static String sha256(List<String> lines) {
    lines.sort(null);
    MessageDigest digest = newDigest();
    for (String line : lines) {
      digest.update((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
