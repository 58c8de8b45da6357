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
    return followUp(tokenizer, start(tokenizer), question, contextLength, minAnswerTokens);
  }

  /**
   * A short-answer question as LLaVA-1.5 asks it: the question, then {@code instruction} on a new line (e.g. "Answer
   * the question using a single word or phrase."); an empty instruction asks the question alone. Training and
   * evaluation both ask through this, so they ask alike.
   */
  public static String shortAnswerQuestion(String question, String instruction) {
    return instruction.isEmpty() ? question : question + "\n" + instruction;
  }

  /** A conversation before its first turn: the start-of-text token. */
  public static int[] start(BpeTokenizer tokenizer) {
    return new int[] {tokenizer.id(SpecialTokens.START_OF_TEXT)};
  }

  /**
   * The tokens that ask the next question of a conversation: {@code history} ({@link #start}, or what
   * {@link #answered} returned), the user's turn and the assistant's role token, as {@link #conversation} trains.
   * An error when fewer than {@code minAnswerTokens} positions of the context are left for the answer.
   */
  public static int[] followUp(BpeTokenizer tokenizer, int[] history, String question, int contextLength,
      int minAnswerTokens) {
    int[] body = tokenizer.encode(turn(Role.USER, question) + Role.ASSISTANT.token());
    int[] ids = Arrays.copyOf(history, history.length + body.length);
    System.arraycopy(body, 0, ids, history.length, body.length);
    if (ids.length + minAnswerTokens > contextLength) {
      throw new IllegalArgumentException("the prompt '" + question + "' is " + ids.length + " tokens: it leaves "
          + "fewer than " + minAnswerTokens + " of the context's " + contextLength + " positions for the answer");
    }
    return ids;
  }

  /** The conversation after the assistant replied {@code reply} to {@code prompt}: the reply and an end token. */
  public static int[] answered(BpeTokenizer tokenizer, int[] prompt, int[] reply) {
    int[] ids = Arrays.copyOf(prompt, prompt.length + reply.length + 1);
    System.arraycopy(reply, 0, ids, prompt.length, reply.length);
    ids[ids.length - 1] = tokenizer.id(SpecialTokens.END_OF_TEXT);
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

  /** One turn of a conversation: who speaks and what. */
  public record Turn(Role role, String text) {}

  /** Why a conversation cannot be a training sample (LLaVA's "tokenization mismatch", here counted by reason). */
  public enum Mismatch {
    /** No user turn answered by the assistant. */
    NO_EXCHANGE,
    /** After an optional system turn, turns must go user, assistant, user, assistant, ... */
    ROLES_OUT_OF_ORDER,
    /** Even the first exchange does not fit the context. */
    TOO_LONG
  }

  /**
   * A conversation as a training sample, or why it is not one. {@code exchangesCut} counts the whole exchanges after
   * the last one that fits the context: they are cut, and counted, never silently masked.
   */
  public record Encoded(java.util.Optional<Exchange> sample, java.util.Optional<Mismatch> mismatch,
      int exchangesCut) {
    static Encoded of(Exchange e, int cut) {
      return new Encoded(java.util.Optional.of(e), java.util.Optional.empty(), cut);
    }

    static Encoded mismatch(Mismatch m) {
      return new Encoded(java.util.Optional.empty(), java.util.Optional.of(m), 0);
    }
  }

  /**
   * A multi-turn conversation as LLaVA trains it, in this template: {@code <|startoftext|>}, the system turn if any,
   * then for each exchange the user's turn and the assistant's role token (not learned), the assistant's answer and
   * an end-of-text token (learned: the model learns to stop after each answer, as LLaVA learns its {@code </s>}).
   * Each segment is tokenised on its own and the pieces concatenated, so the learned positions are exactly the
   * answers' tokens whatever the tokenizer merges. Whole exchanges that do not fit {@code contextLength} + 1 tokens
   * (the inputs and the last target) are cut and counted.
   */
  public static Encoded conversation(BpeTokenizer tokenizer, java.util.List<Turn> turns, int contextLength) {
    int first = !turns.isEmpty() && turns.get(0).role() == Role.SYSTEM ? 1 : 0;
    if (turns.size() - first < 2) {
      return Encoded.mismatch(Mismatch.NO_EXCHANGE);
    }
    if ((turns.size() - first) % 2 != 0) {
      return Encoded.mismatch(Mismatch.ROLES_OUT_OF_ORDER);
    }
    for (int i = first; i < turns.size(); i++) {
      Role expected = (i - first) % 2 == 0 ? Role.USER : Role.ASSISTANT;
      if (turns.get(i).role() != expected) {
        return Encoded.mismatch(Mismatch.ROLES_OUT_OF_ORDER);
      }
    }
    int end = tokenizer.id(SpecialTokens.END_OF_TEXT);
    java.util.List<Integer> tokens = new java.util.ArrayList<>();
    java.util.List<Boolean> learn = new java.util.ArrayList<>();
    tokens.add(tokenizer.id(SpecialTokens.START_OF_TEXT));
    learn.add(false);
    if (first == 1) {
      append(tokens, learn, tokenizer.encode(turn(Role.SYSTEM, turns.get(0).text())), false);
    }
    int exchanges = (turns.size() - first) / 2;
    int kept = 0;
    for (int k = 0; k < exchanges; k++) {
      int[] ask = tokenizer.encode(turn(Role.USER, turns.get(first + 2 * k).text()) + Role.ASSISTANT.token());
      int[] reply = tokenizer.encode(turns.get(first + 2 * k + 1).text().strip());
      if (tokens.size() + ask.length + reply.length + 1 > contextLength + 1) {
        break;
      }
      append(tokens, learn, ask, false);
      append(tokens, learn, reply, true);
      append(tokens, learn, new int[] {end}, true);
      kept++;
    }
    if (kept == 0) {
      return Encoded.mismatch(Mismatch.TOO_LONG);
    }
    int[] ids = new int[tokens.size()];
    boolean[] flags = new boolean[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokens.get(i);
      flags[i] = learn.get(i);
    }
    return Encoded.of(new Exchange(ids, flags), exchanges - kept);
  }

  private static void append(java.util.List<Integer> tokens, java.util.List<Boolean> learn, int[] ids,
      boolean learned) {
    for (int id : ids) {
      tokens.add(id);
      learn.add(learned);
    }
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
