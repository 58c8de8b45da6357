package io.sparkvlm.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.dataset.DatasetError;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file a config key names: missing, it is an error naming the key; not JSON, one naming the file and the place. */
class ConfiguredFilesTest {
  private static final String KEY = "detect.train.instances";

  @Test
  void aMissingFileIsAConfigErrorNamingTheKeyAndThePath(@TempDir java.nio.file.Path dir) throws Exception {
    Path there = new Path(dir.resolve("there.json").toString());
    Files.writeString(dir.resolve("there.json"), "{}");
    Path missing = new Path(dir.resolve("missing.json").toString());
    Path alsoMissing = new Path(dir.resolve("also-missing.json").toString());
    assertThatThrownBy(() -> ConfiguredFiles.requireAll(KEY, List.of(there, missing, alsoMissing),
        new Configuration()))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.key()).isEqualTo(KEY))
        .hasMessage("Config key '" + KEY + "' names " + missing + ", which does not exist (nor do 1 more of the "
            + "files it names)");
    assertThatThrownBy(() -> ConfiguredFiles.readJson(KEY, missing, new Configuration()))
        .isInstanceOf(ConfigError.class).hasMessageContaining(missing + ", which does not exist");
  }

  @Test
  void textThatIsNotOneJsonValueIsADatasetErrorNamingTheFileTheKeyAndThePlace(@TempDir java.nio.file.Path dir)
      throws Exception {
    Files.writeString(dir.resolve("broken.json"), "{\"images\": [\n  {\"id\": 1,}\n]}");
    Path broken = new Path(dir.resolve("broken.json").toString());
    assertThatThrownBy(() -> ConfiguredFiles.readJson(KEY, broken, new Configuration()))
        .isInstanceOf(DatasetError.class)
        .hasMessageContaining(broken + " (" + KEY + ") is not one JSON value")
        .hasMessageContaining("at line 2");
    Files.writeString(dir.resolve("two.json"), "{\"images\": []}\n{\"images\": []}\n");
    assertThatThrownBy(() -> ConfiguredFiles.readJson(KEY, new Path(dir.resolve("two.json").toString()),
        new Configuration())).isInstanceOf(DatasetError.class).hasMessageContaining("is not one JSON value");
    Files.writeString(dir.resolve("good.json"), "{\"images\": [{\"id\": 1}]}");
    assertThat(ConfiguredFiles.readJson(KEY, new Path(dir.resolve("good.json").toString()), new Configuration())
        .path("images").get(0).path("id").asInt()).isEqualTo(1);
  }
}
