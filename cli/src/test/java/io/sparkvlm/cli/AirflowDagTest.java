package io.sparkvlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.config.ConfigError;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.job.JobArgs;
import io.sparkvlm.core.io.Json;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Airflow DAG (conf/airflow) passes only real things: every stage's main class exists with a {@code main}, its
 * arguments parse with the jobs' own parser, and every config key it sets is one the jobs know (the config loader
 * refuses unknown keys). The stage table is read by running conf/airflow/spark_vlm_stages.py, as Airflow would.
 */
class AirflowDagTest {
  static final Path STAGES = Path.of("..", "conf", "airflow", "spark_vlm_stages.py");
  /** Stands for a Jinja template ({{ params.run_root }}) where a value is needed to load the config. */
  static final String TEMPLATE_VALUE = "airflow-template";

  static JsonNode stageTable() throws Exception {
    assertThat(STAGES).exists();
    Process p;
    try {
      p = new ProcessBuilder("python3", STAGES.toString()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("python3 is needed to read the Airflow DAG's stage table (./run-tests installs it): "
          + e.getMessage(), e);
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    return Json.MAPPER.readTree(out);
  }

  /** The job's arguments with the run's config file at hand and each template replaced by a plain value. */
  static String[] runnable(JsonNode stage) {
    List<String> args = new ArrayList<>();
    for (JsonNode a : stage.get("application_args")) {
      args.add(a.asText().equals("{{ params.config }}") ? "classpath:conf/pipeline.conf"
          : a.asText().replaceAll("\\{\\{[^}]*}}", TEMPLATE_VALUE));
    }
    return args.toArray(String[]::new);
  }

  @Test
  void everyStageOfTheMapIsATaskWithARealMainClassArgumentsAndConfigKeys() throws Exception {
    JsonNode stages = stageTable();
    Set<String> ids = new LinkedHashSet<>();
    for (JsonNode stage : stages) {
      String id = stage.get("task_id").asText();
      for (JsonNode up : stage.get("upstream")) {
        assertThat(ids).as(id + " waits for a task defined before it").contains(up.asText());
      }
      ids.add(id);
      Class<?> main = Class.forName(stage.get("java_class").asText());
      Method m = main.getMethod("main", String[].class);
      assertThat(Modifier.isStatic(m.getModifiers())).as(main.getName()).isTrue();
      JobArgs parsed = JobArgs.parse(runnable(stage)); // the jobs' own parser: an unknown option is a UsageError
      ConfigLoader.load(parsed.sources());             // an unknown key is a ConfigError naming it
    }
    assertThat(ids).containsExactly("ingest", "pretrain_clip_round0", "pretrain_lm", "filter",
        "pretrain_clip_round1", "align", "instruct", "eval_model", "detect_train", "detect_dataset");
  }

  @Test
  void theCheckCatchesAKeyNoJobKnows() throws Exception {
    JsonNode ingest = stageTable().get(0);
    List<String> args = new ArrayList<>(List.of(runnable(ingest)));
    args.addAll(List.of("--conf", "ingest.input.pth=x"));
    JobArgs parsed = JobArgs.parse(args.toArray(String[]::new));
    assertThatThrownBy(() -> ConfigLoader.load(parsed.sources())).isInstanceOf(ConfigError.class)
        .hasMessageContaining("ingest.input.pth");
    assertThatThrownBy(() -> JobArgs.parse("--confs", "x=1")).isInstanceOf(JobArgs.UsageError.class);
  }

  @Test
  void theDagFileUsesTheStageTable() throws Exception {
    String dag = Files.readString(Path.of("..", "conf", "airflow", "spark_vlm_pipeline.py"));
    assertThat(dag).contains("from spark_vlm_stages import STAGES, application_args")
        .contains("SparkSubmitOperator(").contains("java_class=stage[\"java_class\"]")
        .contains("application_args=application_args(stage)").contains("\"retries\"").contains("\"retry_delay\"");
  }
}
