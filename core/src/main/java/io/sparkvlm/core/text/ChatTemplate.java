package io.sparkvlm.core.text;

import java.util.Arrays;

/**
 * The one conversation format of spark-vlm's language models, so that what an LM learns in {@code pretrain lm},
 * what instruction tuning teaches and what evaluation asks all look alike: each turn is its role token followed by
 * its text (LLaVA's {@code <image>} placeholder removed: the image enters as visual tokens in front of the text),
 * and a document is {@code <|startoftext|> turns <|endoftext|>}:
 *
 * <pre>
 *   &lt;|startoftext|&gt;&lt;|user|&gt;What color is the star?&lt;|assistant|&gt;The star is blue.&lt;|endoftext|&gt;
 * </pre>
 */
public final class ChatTemplate {
  private ChatTemplate() {}

  /** Who speaks a turn; LLaVA files call them system, human and gpt. */
  public enum Role {
    SYSTEM(SpecialTokens.SYSTEM), USER(SpecialTokens.USER), ASSISTANT(SpecialTokens.ASSISTANT);

    private final String token;

    Role(String token) {
      this.token = token;
    }

    public String token() {
      return token;
    }
  }

  /** One turn as text: the role token, then the text stripped of the image placeholder and outer whitespace. */
  public static String turn(Role role, String text) {
    return role.token() + text.replace(SpecialTokens.IMAGE, "").strip();
  }

  /**
   * The tokens that ask the model to answer {@code question}: start of text, the user's turn, the assistant's role
   * token; generation continues from there. An error when the prompt leaves fewer than {@code minAnswerTokens}
   * positions of the context for the answer.
   */
  public static int[] prompt(BpeTokenizer tokenizer, String question, int contextLength, int minAnswerTokens) {
    int[] body = tokenizer.encode(turn(Role.USER, question) + Role.ASSISTANT.token());
    int[] ids = new int[body.length + 1];
    ids[0] = tokenizer.id(SpecialTokens.START_OF_TEXT);
    System.arraycopy(body, 0, ids, 1, body.length);
    if (ids.length + minAnswerTokens > contextLength) {
      throw new IllegalArgumentException("the prompt '" + question + "' is " + ids.length + " tokens: it leaves "
          + "fewer than " + minAnswerTokens + " of the context's " + contextLength + " positions for the answer");
    }
    return ids;
  }

  /**
   * A training example of one exchange, as LLaVA trains: the prompt, then the answer and the end of text; only the
   * answer and the end token are learned ({@code learn[t]} for token t, as {@code LanguageModel.batch} reads it).
   */
  public record Exchange(int[] tokens, boolean[] learn) {}

  public static Exchange exchange(BpeTokenizer tokenizer, String question, String answer, int contextLength) {
    int[] prompt = prompt(tokenizer, question, contextLength, 1);
    int[] reply = tokenizer.encode(answer.strip());
    int n = Math.min(prompt.length + reply.length + 1, contextLength + 1);
    int[] tokens = Arrays.copyOf(prompt, n);
    System.arraycopy(reply, 0, tokens, prompt.length, Math.min(reply.length, n - prompt.length));
    tokens[n - 1] = tokenizer.id(SpecialTokens.END_OF_TEXT);
    boolean[] learn = new boolean[n];
    Arrays.fill(learn, prompt.length, n, true);
    return new Exchange(tokens, learn);
  }

  /** The answer in a generated sequence: the tokens after the prompt, up to (not including) the end of text. */
  public static int[] answer(int[] generated, int promptLength, int endOfText) {
    int end = promptLength;
    while (end < generated.length && generated[end] != endOfText) {
      end++;
    }
    return Arrays.copyOfRange(generated, promptLength, end);
  }
}
