package io.sparkvlm.cli.bench;

import io.sparkvlm.cli.Demo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the ablations on a finished demo run share (vlm bench filter, vlm bench instruct): inputs and variants. */
final class DemoRunAblation {
  /** One variant: a name for the table and its settings on top of the demo's. */
  record Variant(String name, List<String> settings) {}

  private DemoRunAblation() {}

  /**
   * The demo's settings for its finished run at {@code demoRun}, {@code overrides} on top. The world and the web are
   * not regenerated: their settings (scenes, port) are never read.
   */
  static List<String> settings(Path demoRun, List<String> overrides) {
    List<String> s = new ArrayList<>(Demo.settings(demoRun, 0, 0));
    s.addAll(overrides);
    return s;
  }

  /** Whether every path the benchmark reads exists; if not, says which to stderr, naming {@code command}. */
  static boolean finished(String command, List<Path> needed) {
    for (Path p : needed) {
      if (!Files.exists(p)) {
        System.err.println(command + ": " + p + " does not exist; it reads a finished demo run (run ./vlm demo "
            + "first, or point --run at one)");
        return false;
      }
    }
    return true;
  }

  /**
   * The variants {@code only} names, in their table order (all of them when {@code only} is empty); empty, and
   * said to stderr with the names there are, when it names none.
   */
  static Optional<List<Variant>> select(String command, List<Variant> all, List<String> only) {
    List<Variant> chosen = all.stream().filter(v -> only.isEmpty() || only.contains(v.name())).toList();
    if (chosen.isEmpty()) {
      System.err.println(command + ": --only " + only + " names no variant; the variants are "
          + all.stream().map(Variant::name).toList());
      return Optional.empty();
    }
    return Optional.of(chosen);
  }
}
