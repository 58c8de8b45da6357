package io.sparkvlm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results files users hand to {@code vlm eval}: a prediction given twice is an error naming it. */
class StandardFormatsTest {
  @Test
  void aQuestionAnsweredTwiceIsAnErrorNotTheLastAnswerKept(@TempDir Path tmp) throws Exception {
    Path once = tmp.resolve("once.json");
    Files.writeString(once, "[{\"question_id\": 1, \"answer\": \"red\"}, {\"question_id\": 2, \"answer\": \"2\"}]");
    assertThat(StandardFormats.vqaResults(once.toString())).containsEntry(1L, "red").containsEntry(2L, "2");
    Path twice = tmp.resolve("twice.json");
    Files.writeString(twice, "[{\"question_id\": 1, \"answer\": \"red\"}, {\"question_id\": 1, \"answer\": \"blue\"}]");
    assertThatThrownBy(() -> StandardFormats.vqaResults(twice.toString()))
        .hasMessageContaining("twice.json has more than one answer for question 1");
  }
}
