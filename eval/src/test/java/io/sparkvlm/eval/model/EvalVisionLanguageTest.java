package io.sparkvlm.eval.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.metrics.MetricsLog;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.VisionLanguageModel.Trainable;
import io.sparkvlm.core.model.layers.Connector;
import io.sparkvlm.core.model.training.Optimiser;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.BpeTrainer;
import io.sparkvlm.core.text.ChatTemplate;
import io.sparkvlm.core.text.SpecialTokens;
import io.sparkvlm.eval.CaptionResults;
import io.sparkvlm.eval.EvalJob;
import io.sparkvlm.eval.StandardFormats;
import io.sparkvlm.eval.metrics.VqaAccuracy;
import io.sparkvlm.synth.SynthConfig;
import io.sparkvlm.synth.SyntheticWorld;
import io.sparkvlm.training.executor.ExecutorGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code vlm eval model} on a vision-language checkpoint: a nano VLM trained here for a few hundred steps on the
 * synthetic world's seed and instruct captions and the instruct split's short-answer VQA captions the test split
 * and answers its VQA questions on local[2] executors; the numbers are the standard scorers' on the results files
 * it writes, and the executors' text is the driver's.
 */
class EvalVisionLanguageTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path world;
  static String trained;
  static String untrained;
  static ComputationGraph model;
  static BpeTokenizer tokenizer;
  static final String PROMPT = "Caption.";
  static final int STEPS = 250;
  /** The nano preset with room in the context for a prompt, a question and an answer. */
  static final ClipShape NANO = ClipShape.preset("nano");
  static final ClipShape SHAPE = new ClipShape("clip-nano-ctx28", NANO.vision(), NANO.text(), NANO.imageSize(),
      NANO.patchSize(), 28, NANO.vocabSize(), NANO.embedDim());
  static final VisionLanguageModel.Shape VLM = VisionLanguageModel.Shape.of(SHAPE, new Connector.Mlp2xGelu());

  record Example(String image, String question, String answer) {}

  @BeforeAll
  static void checkpoints() throws Exception {
    spark = SparkTestSessions.local();
    world = dir.resolve("world");
    SyntheticWorld.generate(spark, SynthConfig.from(new ConfigReader(ConfigLoader.load(new ConfigSources(List.of(),
        List.of("synth.out=\"" + world + "\"", "synth.scenes=600"))))));
    List<Example> examples = new ArrayList<>();
    List<String> texts = new ArrayList<>(List.of(PROMPT));
    for (String split : List.of("seed", "instruct")) {
      for (String line : Files.readAllLines(world.resolve("captions/" + split + ".jsonl"))) {
        JsonNode n = Json.MAPPER.readTree(line);
        for (JsonNode caption : n.get("captions")) {
          examples.add(new Example(n.get("image").asText(), PROMPT, caption.asText()));
          texts.add(caption.asText());
        }
      }
    }
    // short answers about the instruct split's images (VQA v2 format), as LLaVA-1.5 mixes VQAv2 into its training
    Map<String, String> instructImages = StandardFormats.cocoImageFiles(
        world.resolve(SyntheticWorld.INSTRUCT_VQA_IMAGES).toString());
    Map<Long, StandardFormats.VqaQuestionText> asked = StandardFormats.vqaQuestionTexts(
        world.resolve(SyntheticWorld.INSTRUCT_VQA_QUESTIONS).toString());
    for (JsonNode a : Json.MAPPER.readTree(world.resolve(SyntheticWorld.INSTRUCT_VQA_ANNOTATIONS).toFile())
        .get("annotations")) {
      StandardFormats.VqaQuestionText q = asked.get(a.get("question_id").asLong());
      examples.add(new Example(instructImages.get(q.imageId()), q.question(),
          a.get("multiple_choice_answer").asText()));
      texts.add(q.question());
    }
    assertThat(asked).hasSizeGreaterThan(100);
    for (JsonNode q : Json.MAPPER.readTree(world.resolve("eval/vqa/questions_test.json").toFile()).get("questions")) {
      texts.add(q.get("question").asText());
    }
    tokenizer = BpeTrainer.train(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(texts),
        SHAPE.vocabSize(), 1);
    Map<String, float[]> pixels = new LinkedHashMap<>();
    for (Example e : examples) {
      pixels.computeIfAbsent(e.image(), f -> ClipInputs.pixels(read(world.resolve(f)), SHAPE.visionTower()));
    }

    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    model = VisionLanguageModel.build(VLM, new Optimiser(4e-3, 20, STEPS, 0.9, 0.98, 1e-6, 0.0, 0),
        DataType.FLOAT, 5, Trainable.ALL);
    untrained = save(VisionLanguageModel.build(VLM, Optimiser.adam(1e-3), DataType.FLOAT, 5, Trainable.ALL),
        dir.resolve("untrained").toString(), 0);
    SplittableRandom r = new SplittableRandom(3);
    long t0 = System.nanoTime();
    for (int step = 0; step < STEPS; step++) {
      List<float[]> images = new ArrayList<>();
      List<int[]> sequences = new ArrayList<>();
      List<boolean[]> learn = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        Example e = examples.get(r.nextInt(examples.size()));
        ChatTemplate.Exchange x = ChatTemplate.exchange(tokenizer, e.question(), e.answer(), SHAPE.contextLength());
        images.add(pixels.get(e.image()));
        sequences.add(x.tokens());
        learn.add(x.learn());
      }
      INDArray batch = ClipInputs.images(images, SHAPE.imageSize());
      model.fit(VisionLanguageModel.batch(VLM, batch, sequences, learn));
    }
    System.out.printf("nano VLM for eval: %d steps in %.1f s, last loss %.3f%n", STEPS,
        (System.nanoTime() - t0) / 1e9, model.score());
    String run = dir.resolve("run").toString();
    trained = save(model, run + "/checkpoints/" + Checkpoints.nameForStep(STEPS), STEPS);
    MetricsLog log = MetricsLog.open(run, Long.MAX_VALUE, new Configuration());
    log.append(STEPS / 2, Map.of("loss", 2.5, "learning_rate", 1e-3));
    log.append(STEPS, Map.of("loss", 1.5, "learning_rate", 1e-4));
  }

  static String save(ComputationGraph g, String location, long step) throws Exception {
    ModelCheckpoints.save(g, Optional.of(tokenizer), location, new CheckpointManifest(VLM.name(),
        Optional.of(new ModelArchitecture.VisionLanguage(VLM).toJson()), step, 5, Json.MAPPER.createObjectNode(),
        List.of(), List.of(), Map.of(), Versions.all(), Instant.now().toString()), false, new Configuration());
    return location;
  }

  static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Config config(String checkpoint, String report, String... more) {
    List<String> o = new ArrayList<>(List.of("paths.synth=\"" + world + "\"",
        "eval.model.checkpoint=\"" + checkpoint + "\"", "eval.model.report=\"" + dir.resolve(report) + "\"",
        "eval.model.images-per-task=" + ExecutorGenerator.BATCH, "eval.model.max-images=48",
        "eval.model.generation.caption-prompt=\"" + PROMPT + "\"", "eval.model.generation.max-new-tokens=20",
        "eval.model.generation.vqa-instruction=\"\""));
    o.addAll(List.of(more));
    return ConfigLoader.load(new ConfigSources(List.of(), o));
  }

  static JsonNode evaluate(Config config, String report) throws Exception {
    EvalJob job = new EvalJob();
    String summary = JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))).summary();
    assertThat(summary).contains("captioning/captions_test/CIDEr").contains("vqa/questions_test/accuracy");
    return Json.MAPPER.readTree(dir.resolve(report + "/metrics.json").toFile());
  }

  @Test
  void captionsAndAnswersAreGeneratedOnExecutorsAndScoredAsTheStandardScorersDo() throws Exception {
    JsonNode m = evaluate(config(dir.resolve("run").toString(), "report"), "report");
    JsonNode base = evaluate(config(untrained, "report-untrained"), "report-untrained");
    assertThat(m.get("model").asText()).isEqualTo("vlm-nano-ctx28");
    assertThat(m.get("step").asInt()).isEqualTo(STEPS);
    assertThat(m.get("captioning/captions_test/images").asInt()).isEqualTo(48);
    assertThat(m.get("vqa/questions_test/questions").asInt()).isEqualTo(48);

    // the numbers are the standard scorers' on the results files written beside the report
    Path report = dir.resolve("report");
    String annotations = world.resolve("eval/captions/captions_test.json").toString();
    Map<String, List<String>> refs = new LinkedHashMap<>();
    StandardFormats.cocoAnnotations(annotations).entrySet().stream().limit(48)
        .forEach(e -> refs.put(e.getKey(), e.getValue()));
    Map<String, String> captions = StandardFormats.cocoResults(report.resolve("captions_test_results.json").toString());
    assertThat(captions).hasSize(48);
    Map<String, Double> scores = new CaptionResults(refs, captions).scores();
    scores.forEach((k, v) -> assertThat(m.get("captioning/captions_test/" + k).asDouble()).as(k).isEqualTo(v));
    List<VqaAccuracy.Question> questions = StandardFormats.vqaQuestions(
        world.resolve("eval/vqa/questions_test.json").toString(),
        world.resolve("eval/vqa/annotations_test.json").toString()).subList(0, 48);
    Map<Long, String> answers = StandardFormats.vqaResults(report.resolve("questions_test_results.json").toString());
    VqaAccuracy.Result vqa = VqaAccuracy.evaluate(questions, answers);
    assertThat(m.get("vqa/questions_test/accuracy").asDouble()).isEqualTo(vqa.overall());
    vqa.perAnswerType().forEach((k, v) ->
        assertThat(m.get("vqa/questions_test/answer_type/" + k).asDouble()).as(k).isEqualTo(v));

    // the executors' captions are the driver's: the first task's batch decoded here
    Map<String, String> files = StandardFormats.cocoImageFiles(annotations);
    List<String> ids = new ArrayList<>(refs.keySet()).subList(0, ExecutorGenerator.BATCH);
    int[] prompt = ChatTemplate.prompt(tokenizer, PROMPT, SHAPE.contextLength(), 1);
    List<ExecutorGenerator.Request> requests = new ArrayList<>();
    ids.forEach(id -> requests.add(new ExecutorGenerator.Request(read(world.resolve(files.get(id))), prompt)));
    List<int[]> local = ExecutorGenerator.answer(new VisionLanguageModel.Generator(model, VLM), VLM, requests,
        ExecutorGenerator.Decoding.greedy(20, tokenizer.id(SpecialTokens.END_OF_TEXT)));
    for (int i = 0; i < ids.size(); i++) {
      assertThat(captions.get(ids.get(i))).isEqualTo(tokenizer.decode(local.get(i), true).strip());
    }

    // a few hundred steps make captions that share words with the truth and short answers that are often right;
    // an untrained model's do neither (measured: CIDEr-D 0.14 vs 0.003, VQA 43.8 vs 0.0)
    double cider = m.get("captioning/captions_test/CIDEr").asDouble();
    double baseCider = base.get("captioning/captions_test/CIDEr").asDouble();
    System.out.printf("eval VLM: CIDEr-D %.3f (untrained %.3f), BLEU-4 %.3f, VQA %.2f (untrained %.2f); e.g. '%s'%n",
        cider, baseCider, m.get("captioning/captions_test/Bleu_4").asDouble(),
        m.get("vqa/questions_test/accuracy").asDouble(), base.get("vqa/questions_test/accuracy").asDouble(),
        captions.values().iterator().next());
    assertThat(cider).isGreaterThan(0.05).isGreaterThan(baseCider + 0.05);
    double accuracy = m.get("vqa/questions_test/accuracy").asDouble();
    assertThat(accuracy).as("VQA accuracy (%)").isGreaterThan(base.get("vqa/questions_test/accuracy").asDouble() + 10);

    String html = Files.readString(report.resolve("report.html"));
    assertThat(html).contains("Best by CIDEr-D").contains("Answered worst").contains("generated: ")
        .contains("Training loss (next-token cross-entropy)").contains("data:image/jpeg;base64")
        .contains("zero-shot classification, retrieval, linear probe");
    assertThat(Files.readString(report.resolve("report.md"))).contains("captioning/captions_test/CIDEr");
  }

  @Test
  void aSuiteWithoutCaptionsOrVqaIsAClearErrorForAVisionLanguageModel() {
    Config config = config(trained, "report-none", "eval.model.suites=[{root = \"" + world + "\", zero-shot = "
        + "[\"eval/zeroshot/colour.json\"]}]");
    EvalJob job = new EvalJob();
    assertThatThrownBy(() -> JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))))
        .hasMessageContaining("no suite in eval.model.suites has captions or vqa-questions");
  }

  @Test
  void aVqaFileThatDoesNotExistIsRefusedBeforeAnyWork() {
    Config config = config(trained, "report-missing", "eval.model.suites=[{root = \"" + world + "\", "
        + "vqa-questions = \"eval/vqa/questions_test.json\", vqa-annotations = \"eval/vqa/gone.json\", "
        + "vqa-images = \"eval/captions/captions_test.json\"}]");
    EvalJob job = new EvalJob();
    assertThatThrownBy(() -> JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))))
        .hasMessageContaining("eval.model.suites[0]").hasMessageContaining("eval/vqa/gone.json")
        .hasMessageContaining("does not exist");
    assertThat(dir.resolve("report-missing")).doesNotExist();
  }

  @Test
  void aPromptThatLeavesNoRoomToAnswerIsAClearError() {
    Config config = config(trained, "report-long", "eval.model.generation.caption-prompt=\""
        + "describe ".repeat(40) + "\"");
    EvalJob job = new EvalJob();
    assertThatThrownBy(() -> JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))))
        .hasMessageContaining("positions for the answer");
  }

  @Test
  void anUnknownSuiteKeyIsAClearError() {
    Config config = config(trained, "report-typo", "eval.model.suites=[{root = \"" + world + "\", "
        + "vqa-question = \"eval/vqa/questions_test.json\"}]");
    EvalJob job = new EvalJob();
    assertThatThrownBy(() -> job.readConfig(new ConfigReader(config)))
        .hasMessageContaining("Unknown config key 'eval.model.suites[0].vqa-question'");
  }
}
