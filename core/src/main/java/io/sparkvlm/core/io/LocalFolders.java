package io.sparkvlm.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** Local folders that appear whole or not at all (reports, the synthetic world), and deleting a folder tree. */
public final class LocalFolders {
  private LocalFolders() {}

  /** Writes a folder's contents into the (empty, existing) folder it is given. */
  @FunctionalInterface
  public interface Contents<T> {
    T writeTo(Path folder) throws IOException;
  }

  /**
   * Writes {@code target} whole: {@code contents} go into a hidden sibling ({@code .NAME.tmp-ID}), which then takes
   * {@code target}'s place; a folder already there is moved aside ({@code .NAME.old-ID}) and deleted once the new
   * one is in place. On any error the sibling is deleted and {@code target} is left as it was. Siblings a killed
   * run left are deleted first.
   *
   * @return what {@code contents} returned
   */
  public static <T> T writeWhole(Path target, Contents<T> contents) throws IOException {
    Path dir = target.toAbsolutePath().normalize();
    Files.createDirectories(dir.getParent());
    String hidden = "." + dir.getFileName() + ".";
    try (Stream<Path> siblings = Files.list(dir.getParent())) {
      for (Path debris : siblings.filter(p -> p.getFileName().toString().startsWith(hidden + "tmp-")
          || p.getFileName().toString().startsWith(hidden + "old-")).toList()) {
        deleteTree(debris);
      }
    }
    String id = UUID.randomUUID().toString();
    Path staging = dir.resolveSibling(hidden + "tmp-" + id);
    try {
      Files.createDirectory(staging);
      T result = contents.writeTo(staging);
      Path old = dir.resolveSibling(hidden + "old-" + id);
      if (Files.exists(dir)) {
        Files.move(dir, old);
      }
      Files.move(staging, dir);
      deleteTree(old);
      return result;
    } finally {
      deleteTree(staging);
    }
  }

  /** Deletes {@code root} and everything under it; nothing when it does not exist. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
