package io.sparkvlm.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.io.Json;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the official VQA evaluation (vqaEval.py) run on the same questions (golden/vqa.json). */
class VqaAccuracyTest {
  static JsonNode golden;
  static List<VqaAccuracy.Question> questions = new ArrayList<>();
  static Map<Long, String> predictions = new HashMap<>();

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = VqaAccuracyTest.class.getResourceAsStream("/golden/vqa.json")) {
      golden = Json.MAPPER.readTree(in);
    }
    for (JsonNode q : golden.get("questions")) {
      List<String> answers = new ArrayList<>();
      q.get("answers").forEach(a -> answers.add(a.asText()));
      questions.add(new VqaAccuracy.Question(q.get("question_id").asLong(), q.get("question_type").asText(),
          q.get("answer_type").asText(), answers));
      predictions.put(q.get("question_id").asLong(), q.get("prediction").asText());
    }
  }

  @Test
  void normalisesAsTheOfficialScript() {
    golden.get("normalised").fields().forEachRemaining(e -> assertThat(
        VqaAccuracy.processDigitArticle(VqaAccuracy.processPunctuation(e.getKey())))
        .as("'" + e.getKey() + "'").isEqualTo(e.getValue().asText()));
  }

  @Test
  void accuracyMatchesTheOfficialScriptToTheLastDigit() {
    VqaAccuracy.Result r = VqaAccuracy.evaluate(questions, predictions);
    assertThat(r.overall()).isEqualTo(golden.at("/accuracy/overall").asDouble());
    golden.at("/accuracy/perQuestionType").fields().forEachRemaining(e ->
        assertThat(r.perQuestionType().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().asDouble()));
    golden.at("/accuracy/perAnswerType").fields().forEachRemaining(e ->
        assertThat(r.perAnswerType().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().asDouble()));
    golden.get("per_question").fields().forEachRemaining(e ->
        assertThat(r.perQuestion().get(Long.parseLong(e.getKey()))).as("question " + e.getKey())
            .isEqualTo(e.getValue().asDouble()));
  }

  @Test
  void leaveOneOutByHand() {
    // 3 of 10 humans said "blue": each left-out subset of a "blue" answer has 2 matches (2/3), others 3 (1)
    List<String> answers = new ArrayList<>(List.of("blue", "blue", "blue"));
    for (int i = 0; i < 7; i++) {
      answers.add("green");
    }
    assertThat(VqaAccuracy.accuracy(answers, "blue")).isEqualTo((3 * (2 / 3.0) + 7 * 1.0) / 10);
    assertThat(VqaAccuracy.accuracy(answers, "red")).isZero();
    assertThatThrownBy(() -> VqaAccuracy.evaluate(questions, Map.of()))
        .hasMessageContaining("no predicted answer for " + questions.size() + " questions");
    // the official script's loadRes: the results answer exactly the questions, none besides
    Map<Long, String> extra = new java.util.HashMap<>();
    questions.forEach(q -> extra.put(q.questionId(), "blue"));
    extra.put(987654321L, "blue");
    assertThatThrownBy(() -> VqaAccuracy.evaluate(questions, extra))
        .hasMessageContaining("1 answers are for questions not in the questions file (e.g. 987654321)");
  }
}
