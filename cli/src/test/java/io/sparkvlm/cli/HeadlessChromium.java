package io.sparkvlm.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Renders a local HTML file in headless Chromium (Debian's package; ./run-tests installs it) and returns the DOM. */
final class HeadlessChromium {
  private HeadlessChromium() {}

  static String binary() {
    for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("Chromium is not installed: apt-get install chromium (./run-tests does it)");
  }

  static String dumpDom(Path html, Path profile) throws Exception {
    Path out = Files.createTempFile("dom", ".html");
    Process p = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
        "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom",
        html.toUri().toString())
        .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("Chromium did not finish rendering " + html);
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
