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
}
