package io.sparkvlm.eval.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.training.executor.ExecutorGenerator;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.ChatTemplate;
import io.sparkvlm.core.text.SpecialTokens;
import io.sparkvlm.eval.CaptionResults;
import io.sparkvlm.eval.StandardFormats;
import io.sparkvlm.eval.VqaResults;
import io.sparkvlm.eval.metrics.VqaAccuracy;
import io.sparkvlm.eval.report.HtmlReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vlm eval model} for a vision-language checkpoint: on the executors it captions each suite's caption images
 * and answers its VQA questions (greedy decoding, {@link ChatTemplate} prompts), then scores them with the same
 * code as {@code vlm eval captions} and {@code vlm eval vqa}, adds the report sections (scores, galleries with the
 * generated text next to the truth), and writes the predictions in the standard results formats beside the report.
 */
final class GenerativeEvaluation {
  private static final Logger LOG = LoggerFactory.getLogger(GenerativeEvaluation.class);

  private final ExecutorGenerator generator;
  private final VisionLanguageModel.Shape shape;
  private final BpeTokenizer tokenizer;
  private final EvalModelConfig c;
  private final Configuration conf;

  GenerativeEvaluation(JavaSparkContext sc, byte[] model, VisionLanguageModel.Shape shape, BpeTokenizer tokenizer,
      EvalModelConfig c, Configuration conf) {
    this.shape = shape;
    this.tokenizer = tokenizer;
    this.c = c;
    this.conf = conf;
    // greedy over the ids the tokenizer knows: the model's vocabulary (its preset's) can be larger
    this.generator = new ExecutorGenerator(sc, model, shape, c.imagesPerTask(), ExecutorGenerator.Decoding.greedy(
        c.generation().maxNewTokens(), tokenizer.id(SpecialTokens.END_OF_TEXT)).within(tokenizer.vocabSize()));
  }

  /** Metrics for a one-line summary: each captions file's CIDEr-D and BLEU-4, each VQA file's accuracy. */
  static boolean isHeadline(String key) {
    return key.startsWith("captioning/") && (key.endsWith("/CIDEr") || key.endsWith("/Bleu_4"))
        || key.startsWith("vqa/") && key.endsWith("/accuracy");
  }

  /**
   * Every suite's captions and VQA: metrics (stable keys), report sections, and the results files to write beside
   * the report (name -> bytes, into {@code resultsFiles}). All
   * files are read and all prompts built before anything is generated, so a missing image or a prompt too long
   * for the context fails the run before any work (or output).
   */
  Map<String, Double> evaluate(HtmlReport report, Map<String, byte[]> resultsFiles) throws IOException {
    List<Work> work = new ArrayList<>();
    for (EvalModelConfig.Suite suite : c.suites()) {
      if (suite.captions().isPresent()) {
        work.add(captions(suite, suite.captions().get(), report, resultsFiles));
      }
      if (suite.vqa().isPresent()) {
        work.add(vqa(suite, suite.vqa().get(), report, resultsFiles));
      }
    }
    if (work.isEmpty()) {
      throw new IllegalArgumentException("A vision-language checkpoint is evaluated on captions and VQA files, and "
          + "no suite in eval.model.suites has captions or vqa-questions");
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Work w : work) {
      LOG.info("eval model: {} ({} prompts)", w.what(), w.requests().size());
      metrics.putAll(w.score().apply(replies(w.requests())));
    }
    return metrics;
  }

  /** Prompts to answer, and what to do with the replies (in the same order). */
  private record Work(String what, List<ExecutorGenerator.Request> requests, Scoring score) {}

  @FunctionalInterface
  private interface Scoring {
    Map<String, Double> apply(List<String> replies) throws IOException;
  }

  private Work captions(EvalModelConfig.Suite suite, String file, HtmlReport report, Map<String, byte[]> resultsFiles) {
    String location = suite.root() + "/" + file;
    Map<String, List<String>> references = new LinkedHashMap<>();
    StandardFormats.cocoAnnotations(location).entrySet().stream().limit(c.maxImages())
        .forEach(e -> references.put(e.getKey(), e.getValue()));
    Function<String, byte[]> images = images(suite, location);
    int[] prompt = ChatTemplate.prompt(tokenizer, c.generation().captionPrompt(), shape.lm().contextLength(), 1);
    List<ExecutorGenerator.Request> requests = new ArrayList<>();
    for (String id : references.keySet()) {
      requests.add(new ExecutorGenerator.Request(c.generation().imageInput().apply(required(images, id, location)),
          prompt));
    }
    return new Work("captioning " + location, requests, replies -> {
      Map<String, String> candidates = new LinkedHashMap<>();
      int i = 0;
      for (String id : references.keySet()) {
        candidates.put(id, replies.get(i++));
      }
      return scoreCaptions(location, file, references, candidates, images, report, resultsFiles);
    });
  }

  private Map<String, Double> scoreCaptions(String location, String file, Map<String, List<String>> references,
      Map<String, String> candidates, Function<String, byte[]> images, HtmlReport report,
      Map<String, byte[]> resultsFiles) throws IOException {
    CaptionResults results = new CaptionResults(references, candidates);
    Map<String, Double> scores = results.scores();
    String name = stem(file);
    ArrayNode json = Json.MAPPER.createArrayNode();
    candidates.forEach((id, caption) -> json.addObject().putPOJO("image_id", idValue(id)).put("caption", caption));
    resultsFiles.put(name + "_results.json", Json.MAPPER.writeValueAsBytes(json));
    report.part("Captioning: " + location);
    results.addTo(report, images);
    Map<String, Double> out = new LinkedHashMap<>();
    scores.forEach((k, v) -> out.put("captioning/" + name + "/" + k, v));
    out.put("captioning/" + name + "/images", (double) candidates.size());
    return out;
  }

  private Work vqa(EvalModelConfig.Suite suite, EvalModelConfig.Vqa files, HtmlReport report,
      Map<String, byte[]> resultsFiles) {
    String questionsFile = suite.root() + "/" + files.questions();
    List<VqaAccuracy.Question> questions = StandardFormats.vqaQuestions(questionsFile,
        suite.root() + "/" + files.annotations()).stream().limit(c.maxImages()).toList();
    Map<Long, StandardFormats.VqaQuestionText> texts = StandardFormats.vqaQuestionTexts(questionsFile);
    String imagesFile = suite.root() + "/" + files.images();
    Function<String, byte[]> images = images(suite, imagesFile);
    List<ExecutorGenerator.Request> requests = new ArrayList<>();
    String instruction = c.generation().vqaInstruction();
    for (VqaAccuracy.Question q : questions) {
      StandardFormats.VqaQuestionText t = texts.get(q.questionId());
      String asked = ChatTemplate.shortAnswerQuestion(t.question(), instruction);
      requests.add(new ExecutorGenerator.Request(c.generation().imageInput().apply(required(images, t.imageId(),
          imagesFile)), ChatTemplate.prompt(tokenizer, asked, shape.lm().contextLength(), 1)));
    }
    return new Work("answering the questions of " + questionsFile, requests, replies -> {
      Map<Long, String> answers = new LinkedHashMap<>();
      for (int i = 0; i < questions.size(); i++) {
        answers.put(questions.get(i).questionId(), replies.get(i));
      }
      return scoreVqa(questionsFile, files, questions, texts, answers, images, report, resultsFiles);
    });
  }

  private Map<String, Double> scoreVqa(String questionsFile, EvalModelConfig.Vqa files,
      List<VqaAccuracy.Question> questions, Map<Long, StandardFormats.VqaQuestionText> texts,
      Map<Long, String> answers, Function<String, byte[]> images, HtmlReport report,
      Map<String, byte[]> resultsFiles) throws IOException {
    VqaResults results = new VqaResults(questions, texts, answers);
    VqaAccuracy.Result scored = results.score();
    String name = stem(files.questions());
    ArrayNode json = Json.MAPPER.createArrayNode();
    answers.forEach((id, a) -> json.addObject().put("question_id", id).put("answer", a));
    resultsFiles.put(name + "_results.json", Json.MAPPER.writeValueAsBytes(json));
    report.part("VQA: " + questionsFile);
    results.addScores(report);
    results.addGalleries(report, images);
    Map<String, Double> out = new LinkedHashMap<>();
    String p = "vqa/" + name + "/";
    out.put(p + "accuracy", scored.overall());
    scored.perAnswerType().forEach((k, v) -> out.put(p + "answer_type/" + k, v));
    scored.perQuestionType().forEach((k, v) -> out.put(p + "question_type/" + k, v));
    out.put(p + "questions", (double) questions.size());
    return out;
  }

  /** Generated answers as text, special tokens dropped. */
  private List<String> replies(List<ExecutorGenerator.Request> requests) {
    List<String> out = new ArrayList<>();
    for (int[] answer : generator.answers(requests)) {
      out.add(tokenizer.decode(answer, true).strip());
    }
    return out;
  }

  /**
   * Image id -> bytes (null when the id or the file is unknown), files named by a COCO-format file's images; each
   * file read once (VQA asks several questions about one image), so the requests share one array per image.
   */
  private Function<String, byte[]> images(EvalModelConfig.Suite suite, String cocoFile) {
    Map<String, String> files = StandardFormats.cocoImageFiles(cocoFile);
    Map<String, byte[]> read = new java.util.HashMap<>();
    return id -> {
      String name = files.get(id);
      if (name == null) {
        return null;
      }
      return read.computeIfAbsent(name, n -> {
        try {
          return HadoopFiles.readAll(new org.apache.hadoop.fs.Path(suite.root(), n), conf);
        } catch (IOException e) {
          return null;
        }
      });
    };
  }

  private static byte[] required(Function<String, byte[]> images, String id, String cocoFile) {
    byte[] b = images.apply(id);
    if (b == null) {
      throw new IllegalArgumentException("Image " + id + " is not readable: " + cocoFile + " gives it no file_name, "
          + "or the file it names (relative to the suite's root) does not exist");
    }
    return b;
  }

  private static String stem(String file) {
    return file.replaceAll(".*/", "").replaceAll("\\.json$", "");
  }

  /** COCO ids are numbers; kept as text where they are not. */
  private static Object idValue(String id) {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      return id;
    }
  }
}
