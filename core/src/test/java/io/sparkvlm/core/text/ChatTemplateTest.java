package io.sparkvlm.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  static final BpeTokenizer T = tokenizer();

  static BpeTokenizer tokenizer() {
    Map<String, Long> words = new HashMap<>();
    for (String w : ByteLevel.split("What color is the star? The star is blue. Caption.")) {
      words.merge(ByteLevel.encode(w), 5L, Long::sum);
    }
    return BpeTrainer.train(words, 300, 1);
  }

  @Test
  void aTurnIsItsRoleTokenAndItsTextWithoutTheImagePlaceholder() {
    assertThat(ChatTemplate.turn(ChatTemplate.Role.USER, "<image>\nWhat color is the star? "))
        .isEqualTo("<|user|>What color is the star?");
    assertThat(ChatTemplate.turn(ChatTemplate.Role.ASSISTANT, "The star is blue."))
        .isEqualTo("<|assistant|>The star is blue.");
  }

  @Test
  void aPromptEndsWithTheAssistantsRoleAndAnExchangeLearnsOnlyTheAnswer() {
    int[] prompt = ChatTemplate.prompt(T, "What color is the star?", 40, 1);
    assertThat(prompt[0]).isEqualTo(T.id(SpecialTokens.START_OF_TEXT));
    assertThat(prompt[1]).isEqualTo(T.id(SpecialTokens.USER));
    assertThat(prompt[prompt.length - 1]).isEqualTo(T.id(SpecialTokens.ASSISTANT));
    assertThat(T.decode(prompt)).isEqualTo("<|startoftext|><|user|>What color is the star?<|assistant|>");

    ChatTemplate.Exchange x = ChatTemplate.exchange(T, "What color is the star?", " The star is blue. ", 40);
    assertThat(T.decode(x.tokens())).isEqualTo(
        "<|startoftext|><|user|>What color is the star?<|assistant|>The star is blue.<|endoftext|>");
    for (int t = 0; t < x.tokens().length; t++) {
      assertThat(x.learn()[t]).as("token %d", t).isEqualTo(t >= prompt.length);
    }
    // the answer read back from a generated sequence: after the prompt, before the end
    assertThat(T.decode(ChatTemplate.answer(x.tokens(), prompt.length, T.id(SpecialTokens.END_OF_TEXT))))
        .isEqualTo("The star is blue.");
  }

  @Test
  void aLongAnswerIsCutAtTheContextWithTheEndTokenKept() {
    int[] prompt = ChatTemplate.prompt(T, "Caption.", 12, 1);
    ChatTemplate.Exchange x = ChatTemplate.exchange(T, "Caption.", "The star is blue. ".repeat(5), 12);
    assertThat(x.tokens()).hasSize(13);     // context + 1: inputs and shifted targets
    assertThat(x.tokens()[12]).isEqualTo(T.id(SpecialTokens.END_OF_TEXT));
    assertThat(x.learn()[prompt.length]).isTrue();
    assertThat(x.learn()[prompt.length - 1]).isFalse();
  }

  @Test
  void aPromptThatLeavesNoRoomForTheAnswerIsAnError() {
    assertThatThrownBy(() -> ChatTemplate.prompt(T, "What color is the star? ".repeat(10), 16, 1))
        .hasMessageContaining("positions for the answer");
  }

  /** The learned tokens of an encoded conversation, decoded, one string per learned run. */
  static java.util.List<String> learnedRuns(ChatTemplate.Exchange x) {
    java.util.List<String> runs = new java.util.ArrayList<>();
    java.util.List<Integer> run = new java.util.ArrayList<>();
    for (int t = 0; t <= x.tokens().length; t++) {
      if (t < x.tokens().length && x.learn()[t]) {
        run.add(x.tokens()[t]);
      } else if (!run.isEmpty()) {
        runs.add(T.decode(run.stream().mapToInt(Integer::intValue).toArray()));
        run.clear();
      }
    }
    return runs;
  }

  static ChatTemplate.Turn user(String text) {
    return new ChatTemplate.Turn(ChatTemplate.Role.USER, text);
  }

  static ChatTemplate.Turn assistant(String text) {
    return new ChatTemplate.Turn(ChatTemplate.Role.ASSISTANT, text);
  }

  @Test
  void aConversationLearnsEachAnswerAndItsEndTokenAndNothingElse() {
    ChatTemplate.Turn system = new ChatTemplate.Turn(ChatTemplate.Role.SYSTEM, "Caption.");
    ChatTemplate.Encoded e = ChatTemplate.conversation(T, java.util.List.of(system,
        user("<image>\nWhat color is the star?"), assistant("The star is blue."), user("What is blue?"),
        assistant("The star.")), 200);
    assertThat(e.mismatch()).isEmpty();
    assertThat(e.exchangesCut()).isZero();
    ChatTemplate.Exchange x = e.sample().orElseThrow();
    assertThat(T.decode(x.tokens())).isEqualTo("<|startoftext|><|system|>Caption.<|user|>What color is the star?"
        + "<|assistant|>The star is blue.<|endoftext|><|user|>What is blue?<|assistant|>The star.<|endoftext|>");
    assertThat(learnedRuns(x)).containsExactly("The star is blue.<|endoftext|>", "The star.<|endoftext|>");
    // one exchange is exactly what evaluation prompts with and ChatTemplate.exchange trains on
    ChatTemplate.Exchange one = ChatTemplate.conversation(T, java.util.List.of(user("What color is the star?"),
        assistant("The star is blue.")), 40).sample().orElseThrow();
    ChatTemplate.Exchange single = ChatTemplate.exchange(T, "What color is the star?", "The star is blue.", 40);
    assertThat(one.tokens()).containsExactly(single.tokens());
    assertThat(one.learn()).containsExactly(single.learn());
  }

  @Test
  void whatDoesNotFitIsCutByWholeExchangesAndCountedAndWhatCannotBeASampleSaysWhy() {
    java.util.List<ChatTemplate.Turn> two = java.util.List.of(user("What color is the star?"),
        assistant("The star is blue."), user("What is blue?"), assistant("The star."));
    int first = ChatTemplate.conversation(T, two.subList(0, 2), 200).sample().orElseThrow().tokens().length;
    // room for the first exchange only (tokens = inputs + the last target = context + 1)
    ChatTemplate.Encoded cut = ChatTemplate.conversation(T, two, first - 1);
    assertThat(cut.exchangesCut()).isEqualTo(1);
    assertThat(learnedRuns(cut.sample().orElseThrow())).containsExactly("The star is blue.<|endoftext|>");
    assertThat(ChatTemplate.conversation(T, two, first - 2).mismatch()).contains(ChatTemplate.Mismatch.TOO_LONG);
    assertThat(ChatTemplate.conversation(T, java.util.List.of(user("What color is the star?")), 200).mismatch())
        .contains(ChatTemplate.Mismatch.NO_EXCHANGE);
    assertThat(ChatTemplate.conversation(T, java.util.List.of(assistant("Blue."), user("What?")), 200).mismatch())
        .contains(ChatTemplate.Mismatch.ROLES_OUT_OF_ORDER);
    assertThat(ChatTemplate.conversation(T, java.util.List.of(user("What?"), assistant("Blue."), user("And?")), 200)
        .mismatch()).contains(ChatTemplate.Mismatch.ROLES_OUT_OF_ORDER);
  }

  @Test
  void aFollowUpPromptIsTheConversationSoFarAsTrainingSawIt() {
    int[] first = ChatTemplate.prompt(T, "What color is the star?", 200, 1);
    int[] reply = T.encode("The star is blue.");
    int[] second = ChatTemplate.followUp(T, ChatTemplate.answered(T, first, reply), "What is blue?", 200, 1);
    int[] trained = ChatTemplate.conversation(T, java.util.List.of(user("What color is the star?"),
        assistant("The star is blue."), user("What is blue?"), assistant("The star.")), 200).sample().orElseThrow()
        .tokens();
    assertThat(java.util.Arrays.copyOf(trained, second.length)).containsExactly(second);
    assertThatThrownBy(() -> ChatTemplate.followUp(T, ChatTemplate.answered(T, first, reply), "What is blue?",
        second.length, 1)).hasMessageContaining("positions for the answer");
  }
}
