package io.sparkvlm.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Config REFERENCE = ConfigFactory.parseString("""
      config.open-sections = ["spark.conf"]
      spark { master = null, app-name = "spark-vlm", progress-interval-seconds = 10, conf { } }
      ingest { timeout = 10s, threads = 16, resize-mode = border, input = null }
      paths { root = "work", pairs = ${paths.root}"/pairs" }
      """);

  @TempDir Path dir;

  private Path file(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void unknownKeyInAFileIsNamedWithFileAndLineAndASuggestion() throws Exception {
    Path conf = file("run.conf", "ingest {\n  threads = 4\n  timout = 5s\n}\n");
    assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources(List.of(conf.toString()), List.of()), REFERENCE))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("Unknown config key 'ingest.timout'")
        .hasMessageContaining("run.conf: 3")
        .hasMessageContaining("did you mean 'ingest.timeout'")
        .satisfies(e -> assertThat(((ConfigError) e).key()).isEqualTo("ingest.timout"));
  }

  @Test
  void aShortenedKeyIsPointedToTheOneKeyOfItsSectionThatItBegins() {
    Config reference = ConfigFactory.parseString("pretrain.clip { batch-size-per-worker = 32, "
        + "log-every-steps = 10, checkpoint-every-steps = 100 }");
    assertThatThrownBy(() -> ConfigLoader.load(
        new ConfigSources(List.of(), List.of("pretrain.clip.batch-size=8")), reference))
        .hasMessageContaining("did you mean 'pretrain.clip.batch-size-per-worker'");
    // the beginning of a key of another section is no guess
    assertThatThrownBy(() -> ConfigLoader.load(
        new ConfigSources(List.of(), List.of("pretrain.log=8")), reference))
        .hasMessageContaining("no module declares it");
    // nor is a beginning that does not pick one key: "ch" is neither a typo nor the start of only one key here
    Config two = ConfigFactory.parseString("pretrain.clip { checkpoint-every-steps = 100, "
        + "checkpoint-keep-latest-count = 3 }");
    assertThatThrownBy(() -> ConfigLoader.load(
        new ConfigSources(List.of(), List.of("pretrain.clip.checkpoint=8")), two))
        .hasMessageContaining("no module declares it");
  }

  @Test
  void unknownKeyInAnOverrideNamesTheOverride() {
    assertThatThrownBy(() -> ConfigLoader.load(
        new ConfigSources(List.of(), List.of("ingets.threads=4")), REFERENCE))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("'ingets.threads'")
        .hasMessageContaining("--conf ingets.threads=4");
  }

  @Test
  void unknownSectionIsRejectedAsAWhole() {
    assertThatThrownBy(() -> ConfigLoader.load(
        new ConfigSources(List.of(), List.of("nosuchstage.x=1")), REFERENCE))
        .hasMessageContaining("Unknown config key 'nosuchstage.x'")
        .hasMessageContaining("no module declares it");
  }

  @Test
  void openSectionsTakeAnyKey() {
    Config c = ConfigLoader.load(new ConfigSources(List.of(),
        List.of("spark.conf.\"spark.executor.memory\"=4g")), REFERENCE);
    assertThat(new ConfigReader(c).stringMap("spark.conf")).containsEntry("spark.executor.memory", "4g");
  }

  @Test
  void laterSourcesWinAndSubstitutionsFollowOverrides() throws Exception {
    Path a = file("a.conf", "ingest.threads = 2\npaths.root = \"/data/a\"\n");
    Path b = file("b.conf", "ingest.threads = 3\n");
    Config c = ConfigLoader.load(new ConfigSources(List.of(a.toString(), b.toString()),
        List.of("ingest.threads=5", "paths.root=s3a://bucket/run-1")), REFERENCE);
    ConfigReader r = new ConfigReader(c);
    assertThat(r.intIn("ingest.threads", 1, 64)).isEqualTo(5);
    // An unquoted s3a:// URL is not cut at "//" as HOCON would cut a comment.
    assertThat(r.string("paths.pairs")).isEqualTo("s3a://bucket/run-1/pairs");
  }

  @Test
  void wrongTypeNamesKeyExpectationAndOrigin() throws Exception {
    Path conf = file("bad.conf", "ingest.threads = lots\n");
    Config c = ConfigLoader.load(new ConfigSources(List.of(conf.toString()), List.of()), REFERENCE);
    assertThatThrownBy(() -> new ConfigReader(c).intIn("ingest.threads", 1, 64))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("'ingest.threads' must be an integer")
        .hasMessageContaining("lots")
        .hasMessageContaining("bad.conf: 1");
  }

  @Test
  void aSectionGivenAPlainValueIsNamedWhenAKeyUnderItIsMissing() {
    ConfigReader r = new ConfigReader(ConfigFactory.parseString("ingest { input = \"urls.csv\", threads = 4 }"));
    assertThatThrownBy(() -> r.nonEmptyString("ingest.input.path"))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("Config key 'ingest.input.path' is missing: 'ingest.input' is set to \"urls.csv\"")
        .hasMessageContaining("set 'ingest.input.path' instead");
    assertThatThrownBy(() -> r.nonEmptyString("ingest.timeout"))
        .hasMessageContaining("no reference.conf declares it");
  }

  @Test
  void outOfRangeNamesKeyRangeAndOrigin() {
    Config c = ConfigLoader.load(new ConfigSources(List.of(), List.of("ingest.threads=0")), REFERENCE);
    assertThatThrownBy(() -> new ConfigReader(c).intIn("ingest.threads", 1, 64))
        .hasMessageContaining("'ingest.threads' = 0 is out of range: must be between 1 and 64")
        .hasMessageContaining("--conf ingest.threads=0");
  }

  @Test
  void badDurationAndBadEnumAreNamed() {
    Config c = ConfigLoader.load(new ConfigSources(List.of(),
        List.of("ingest.timeout=soon", "ingest.resize-mode=squash")), REFERENCE);
    ConfigReader r = new ConfigReader(c);
    assertThatThrownBy(() -> r.durationIn("ingest.timeout", java.time.Duration.ZERO,
        java.time.Duration.ofMinutes(5))).hasMessageContaining("'ingest.timeout' must be a duration");
    assertThatThrownBy(() -> r.oneOf("ingest.resize-mode", Mode.class))
        .hasMessageContaining("'ingest.resize-mode' = 'squash' is not one of [no, border, keep-ratio]");
  }

  enum Mode { NO, BORDER, KEEP_RATIO }

  @Test
  void requiredValueLeftNullIsNamed() {
    Config c = ConfigLoader.load(ConfigSources.none(), REFERENCE);
    assertThatThrownBy(() -> new ConfigReader(c).string("ingest.input"))
        .hasMessageContaining("'ingest.input' must be set");
    assertThat(new ConfigReader(c).optionalString("ingest.input")).isEmpty();
  }

  @Test
  void listOverridesParseAsHocon() {
    Config c = ConfigLoader.load(new ConfigSources(List.of(),
        List.of("config.open-sections=[\"spark.conf\", \"ingest\"]")), REFERENCE);
    assertThat(new ConfigReader(c).stringList("config.open-sections")).containsExactly("spark.conf", "ingest");
  }

  @Test
  void aBareNullOverrideUnsetsAKeyAndAQuotedOneIsTheString() {
    Config unset = ConfigLoader.load(new ConfigSources(List.of(), List.of("spark.app-name=null")), REFERENCE);
    assertThat(new ConfigReader(unset).optionalString("spark.app-name")).isEmpty();
    Config string = ConfigLoader.load(new ConfigSources(List.of(), List.of("spark.app-name=\"null\"")), REFERENCE);
    assertThat(new ConfigReader(string).optionalString("spark.app-name")).contains("null");
  }

  @Test
  void missingFileAndSyntaxErrorsAreClear() throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources(List.of(dir.resolve("nope.conf").toString()),
        List.of()), REFERENCE)).hasMessageContaining("Config file not found").hasMessageContaining("nope.conf");
    Path broken = file("broken.conf", "ingest { threads = \n");
    assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources(List.of(broken.toString()), List.of()),
        REFERENCE)).hasMessageContaining("Cannot parse config file").hasMessageContaining("broken.conf");
    assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources(List.of(), List.of("no-equals-sign")),
        REFERENCE)).hasMessageContaining("expected --conf key=value");
  }

  @Test
  void theShippedReferenceAndPipelineConfigLoadAndValidate() {
    Config c = ConfigLoader.load(new ConfigSources(List.of("classpath:conf/pipeline.conf"), List.of()));
    ConfigReader r = new ConfigReader(c);
    assertThat(io.sparkvlm.core.spark.SparkSettings.from(r).master()).contains("local[*]");
    assertThat(r.string("paths.pairs")).isEqualTo("work/pairs");
    Config moved = ConfigLoader.load(new ConfigSources(List.of("classpath:conf/pipeline.conf"),
        List.of("paths.root=s3a://bucket/run-2")));
    assertThat(moved.getString("paths.checkpoints")).isEqualTo("s3a://bucket/run-2/checkpoints");
  }

  @Test
  void secretsAreRedactedInTheEffectiveConfig() {
    Config c = ConfigLoader.load(new ConfigSources(List.of(),
        List.of("spark.conf.\"spark.hadoop.fs.s3a.secret.key\"=hunter2")), REFERENCE);
    String json = EffectiveConfig.toJson(c).toString();
    assertThat(json).doesNotContain("hunter2").contains(EffectiveConfig.REDACTED);
    assertThat(EffectiveConfig.toHocon(c, false)).doesNotContain("hunter2");
  }

  @Test
  void onlyCredentialsAreSecretsNotEveryKeyThatMentionsATokenizer() {
    for (String secret : List.of("spark.conf.spark.hadoop.fs.s3a.secret.key", "spark.hadoop.fs.s3a.access.key",
        "fs.s3a.session.token", "db.password", "smtp.passwd", "client-secret", "aws.credentials-file",
        "service.api-key", "auth.private_key", "hub.auth-token", "token", "secret")) {
      assertThat(EffectiveConfig.isSecret(secret)).as(secret).isTrue();
    }
    for (String plain : List.of("pretrain.clip.tokenizer", "pretrain.clip.tokenizer-min-frequency",
        "eval.model.generation.max-new-tokens", "filter.captions.min-tokens", "ingest.dedup.hamming-threshold",
        "paths.checkpoints", "spark.hadoop.fs.s3a.endpoint", "keyed.batches", "monkey")) {
      assertThat(EffectiveConfig.isSecret(plain)).as(plain).isFalse();
    }
    // through the whole config: the tokenizer setting is recorded, the secret is not
    Config c = ConfigLoader.load(new ConfigSources(List.of(),
        List.of("spark.conf.\"spark.hadoop.fs.s3a.secret.key\"=hunter2")), REFERENCE);
    assertThat(EffectiveConfig.toJson(c).toString()).doesNotContain("hunter2");
  }
}
