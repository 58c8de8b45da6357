package io.sparkvlm.synth;

import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.testing.SparkTestSessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small synthetic worlds for tests, generated through the real config path. */
final class Worlds {
  private Worlds() {}

  static SynthConfig config(Path out, String... overrides) {
    List<String> all = new ArrayList<>(List.of("synth.out=" + out));
    all.addAll(List.of(overrides));
    return SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(), all))));
  }

  static SynthConfig generate(Path out, String... overrides) {
    SynthConfig c = config(out, overrides);
    try {
      SyntheticWorld.generate(SparkTestSessions.local(), c);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return c;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
