package io.sparkvlm.cli;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.ChatTemplate;
import io.sparkvlm.core.text.SpecialTokens;
import io.sparkvlm.training.executor.ExecutorGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vlm chat}: a vision-language checkpoint answers questions about one image, locally (no Spark), greedily,
 * in the chat template it was tuned with. One question, or {@code --interactive}: a conversation read line by line
 * from standard input, each answer kept in the context of the next question, until an empty line or end of input.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
    description = "Ask a vision-language checkpoint (vlm instruct) about an image, locally.")
final class ChatCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "a vision-language checkpoint or run folder")
  String checkpoint;

  @Option(names = "--image", required = true, description = "an image file (JPEG, PNG, ...)")
  Path image;

  @Option(names = "--interactive", description = "a multi-turn conversation on standard input")
  boolean interactive;

  @Option(names = "--max-new-tokens", description = "most tokens of an answer (default: ${DEFAULT-VALUE})")
  int maxNewTokens = 32;

  @Parameters(arity = "0..1", description = "the question (required unless --interactive)")
  String question;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (question == null && !interactive) {
      err.println("vlm chat: give a question, or --interactive");
      return JobLauncher.USAGE;
    }
    if (question != null && question.isBlank()) {
      err.println("vlm chat: the question is blank");
      return JobLauncher.USAGE;
    }
    if (maxNewTokens < 1) {
      err.println("vlm chat: --max-new-tokens must be at least 1, not " + maxNewTokens);
      return JobLauncher.USAGE;
    }
    if (!Files.isRegularFile(image)) {
      err.println("vlm chat: --image " + image + " is not a file");
      return JobLauncher.USAGE;
    }
    ModelCheckpoints.Loaded loaded;
    VisionLanguageModel.Shape shape;
    BpeTokenizer tokenizer;
    try {
      loaded = ModelCheckpoints.load(checkpoint, new Configuration());
      shape = loaded.as(ModelArchitecture.VisionLanguage.class, "--checkpoint").shape();
      tokenizer = loaded.requireBpeTokenizer();
    } catch (CheckpointError | IllegalArgumentException e) {
      err.println("vlm chat: " + e.getMessage());
      return JobLauncher.USAGE;
    }
    byte[] bytes = Files.readAllBytes(image);
    try {
      ClipInputs.decode(bytes); // refused here, once, rather than as each question's failure
    } catch (IllegalArgumentException e) {
      err.println("vlm chat: --image " + image + ": " + e.getMessage());
      return JobLauncher.USAGE;
    }
    VisionLanguageModel.Generator generator = new VisionLanguageModel.Generator(loaded.model(), shape);
    ExecutorGenerator.Decoding decoding = ExecutorGenerator.Decoding.greedy(maxNewTokens,
        tokenizer.id(SpecialTokens.END_OF_TEXT)).within(tokenizer.vocabSize());
    Conversation conversation = new Conversation(tokenizer, shape.lm().contextLength());
    if (!interactive) {
      try {
        out.println(conversation.ask(question, generator, shape, bytes, decoding));
      } catch (IllegalArgumentException e) {
        // a question too long for the context
        err.println("vlm chat: " + e.getMessage());
        return JobLauncher.USAGE;
      }
      return JobLauncher.OK;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = question != null ? question : in.readLine(); line != null && !line.isBlank();
        line = in.readLine()) {
      try {
        out.println("assistant: " + conversation.ask(line, generator, shape, bytes, decoding));
      } catch (IllegalArgumentException e) {
        // the conversation no longer fits the context: start again with this question alone
        out.println("(" + e.getMessage() + "; the conversation starts again)");
        conversation = new Conversation(tokenizer, shape.lm().contextLength());
        try {
          out.println("assistant: " + conversation.ask(line, generator, shape, bytes, decoding));
        } catch (IllegalArgumentException alone) {
          out.println("(" + alone.getMessage() + ")");
        }
      }
      out.flush();
    }
    return JobLauncher.OK;
  }

  /** The tokens of a conversation so far; each answer joins the context of the next question. */
  static final class Conversation {
    private final BpeTokenizer tokenizer;
    private final int contextLength;
    private int[] history;

    Conversation(BpeTokenizer tokenizer, int contextLength) {
      this.tokenizer = tokenizer;
      this.contextLength = contextLength;
      this.history = ChatTemplate.start(tokenizer);
    }

    String ask(String question, VisionLanguageModel.Generator generator, VisionLanguageModel.Shape shape,
        byte[] image, ExecutorGenerator.Decoding decoding) {
      int[] prompt = ChatTemplate.followUp(tokenizer, history, question, contextLength, 1);
      int[] reply = ExecutorGenerator.answer(generator, shape, List.of(new ExecutorGenerator.Request(image, prompt)),
          decoding).get(0);
      history = ChatTemplate.answered(tokenizer, prompt, reply);
      return tokenizer.decode(reply, true).strip();
    }
  }
}
