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

  /** Two result files concatenated, or a null caption: refused as Python's json and pycocoevalcap would. */
  @Test
  void trailingContentAndNonTextCaptionsAreErrors(@TempDir Path tmp) throws Exception {
    Path two = tmp.resolve("two.json");
    Files.writeString(two, "[{\"question_id\": 1, \"answer\": \"red\"}][{\"question_id\": 2, \"answer\": \"2\"}]");
    assertThatThrownBy(() -> StandardFormats.vqaResults(two.toString())).hasMessageContaining("cannot read")
        .hasMessageContaining("two.json");
    Path nullCaption = tmp.resolve("null-caption.json");
    Files.writeString(nullCaption, "[{\"image_id\": 7, \"caption\": null}]");
    assertThatThrownBy(() -> StandardFormats.cocoResults(nullCaption.toString()))
        .hasMessageContaining("'caption' is not a string");
    Path questions = tmp.resolve("q.json");
    Files.writeString(questions, "{\"questions\": [{\"question_id\": 1, \"image_id\": 1, \"question\": \"?\"}]}");
    Path annotations = tmp.resolve("a.json");
    Files.writeString(annotations, "{\"annotations\": [" + annotation(1) + ", " + annotation(2) + "]}");
    assertThatThrownBy(() -> StandardFormats.vqaQuestions(questions.toString(), annotations.toString()))
        .hasMessageContaining("has 1 annotations for questions").hasMessageContaining("(e.g. 2)");
  }

  private static String annotation(long id) {
    return "{\"question_id\": " + id + ", \"question_type\": \"what\", \"answer_type\": \"other\", "
        + "\"answers\": [{\"answer\": \"red\"}]}";
  }
}
