package io.sparkvlm.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfigLoader;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.config.ConfigSources;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.JobLauncher;
import io.sparkvlm.core.job.StageJob;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.layers.Fusion;
import io.sparkvlm.core.model.layers.GatedCrossAttention;
import io.sparkvlm.core.model.layers.TextStem;
import io.sparkvlm.core.model.layers.VisionFeatures;
import io.sparkvlm.core.testing.SparkTestSessions;
import io.sparkvlm.synth.SyntheticWorld;
import io.sparkvlm.synth.testing.StageWorld;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LLaVA's two stages end to end in local[2] on a nano world: stage 1 from a briefly trained CLIP and LM trains the
 * connector alone, stage 2 from stage 1 trains connector and LM on conversations and VQA; what is frozen is bitwise
 * unchanged, what trains changes, the data counts add up, and bad starting points are refused before any work.
 */
class InstructTuneJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path world;
  static String pairs;
  static String clip;
  static String lm;
  static final Configuration CONF = new Configuration();

  @BeforeAll
  static void models() throws Exception {
    spark = SparkTestSessions.local();
    world = StageWorld.world(spark, dir, 300);
    List<StageWorld.Pair> web = StageWorld.webPairs(world);
    pairs = dir.resolve("pairs").toString();
    StageWorld.pairs(spark, web, pairs);
    clip = StageWorld.clip(spark, web, dir, 60);
    // lm-nano's shape with room for a conversation's exchange (its 16 tokens hold only a caption)
    LanguageModel.Shape nano = StageWorld.LM;
    lm = StageWorld.lm(spark, web, dir, 100, new LanguageModel.Shape("lm-nano-48", nano.vocabSize(), 48,
        nano.tower()));
  }

  static List<String> base(String name, String... more) {
    List<String> o = new ArrayList<>(List.of("paths.root=\"" + dir.resolve(name) + "\"",
        "paths.synth=\"" + world + "\"", "align.input=\"" + pairs + "\"", "align.clip=\"" + clip + "\"",
        "align.lm=\"" + lm + "\"", "align.workers=2", "instruct.workers=2", "align.batch-size-per-worker=8",
        "instruct.batch-size-per-worker=8", "align.epochs=1", "instruct.epochs=2", "align.log-every-steps=5",
        "instruct.log-every-steps=5", "align.checkpoint-every-steps=1000", "instruct.checkpoint-every-steps=1000"));
    o.addAll(List.of(more));
    return o;
  }

  static <C> String run(StageJob<C> job, List<String> overrides) throws Exception {
    Config config = ConfigLoader.load(new ConfigSources(List.of(), overrides));
    return JobLauncher.execute(job, spark, config, job.readConfig(new ConfigReader(config))).summary();
  }

  @Test
  void bothStagesTrainWhatTheyShouldAndNothingElse() throws Exception {
    List<String> o = base("two-stage");
    String aligned = run(new AlignJob(), o);
    Path root = dir.resolve("two-stage");
    String stage1 = Checkpoints.latestComplete(root.resolve("checkpoints/align/checkpoints").toString(), CONF)
        .orElseThrow();
    ModelCheckpoints.Loaded s1 = ModelCheckpoints.load(stage1, CONF);
    VisionLanguageModel.Shape shape = s1.as(ModelArchitecture.VisionLanguage.class, "test").shape();
    // LLaVA's defaults: the penultimate block's patch tokens (nano's vision tower has 2 blocks)
    assertThat(shape.visionLayers()).as(aligned).isEqualTo(1);
    assertThat(s1.manifest().parents()).hasSize(2);
    ComputationGraph clipModel = ModelCheckpoints.load(clip, CONF).model();
    ComputationGraph lmModel = ModelCheckpoints.load(lm, CONF).model();
    ComputationGraph g1 = s1.model();
    List<String> vision = ClipModel.visionTowerLayers(shape.visionLayers());
    List<String> decoder = decoderLayers(shape);
    // stage 1: vision tower and LM bitwise as their checkpoints; the connector trained
    for (String layer : vision) {
      assertSame(g1, clipModel, layer);
    }
    for (String layer : decoder) {
      assertSame(g1, lmModel, layer);
    }
    ComputationGraph fresh = VisionLanguageModel.build(shape, new org.nd4j.linalg.learning.config.Adam(1e-3),
        org.nd4j.linalg.api.buffer.DataType.FLOAT, 42, VisionLanguageModel.Trainable.ALIGN);
    assertDiffers(g1, fresh, VisionLanguageModel.CONNECTOR);

    String tuned = run(new InstructJob(), o);
    String stage2 = Checkpoints.latestComplete(root.resolve("checkpoints/instruct/checkpoints").toString(), CONF)
        .orElseThrow();
    ModelCheckpoints.Loaded s2 = ModelCheckpoints.load(stage2, CONF);
    assertThat(s2.manifest().parents()).containsExactly(s1.location());
    assertThat(s2.as(ModelArchitecture.VisionLanguage.class, "test").shape()).isEqualTo(shape);
    ComputationGraph g2 = s2.model();
    // stage 2: the vision tower bitwise as stage 1's; connector and LM trained
    for (String layer : vision) {
      assertSame(g2, g1, layer);
    }
    assertDiffers(g2, g1, VisionLanguageModel.CONNECTOR);
    for (String layer : decoder) {
      assertDiffers(g2, g1, layer);
    }
    // the data counts add up: every conversation and VQA question read is used or counted as mismatched
    JsonNode counts = Json.MAPPER.readTree(root.resolve("checkpoints/instruct").resolve(InstructJob.DATA_REPORT)
        .toFile());
    long conversations = Json.MAPPER.readTree(world.resolve(SyntheticWorld.INSTRUCT).toFile()).size();
    long questions = Json.MAPPER.readTree(world.resolve(SyntheticWorld.INSTRUCT_VQA_QUESTIONS).toFile())
        .get("questions").size();
    assertThat(counts.get("read").get("conversations").asLong()).as(tuned).isEqualTo(conversations);
    assertThat(counts.get("read").get("vqa").asLong()).isEqualTo(questions);
    // one brief caption per instruct image (instruct.captions.per-image = 1), each image having several
    JsonNode coco = Json.MAPPER.readTree(world.resolve(SyntheticWorld.INSTRUCT_CAPTIONS).toFile());
    long images = coco.get("images").size();
    assertThat(coco.get("annotations").size()).isGreaterThan((int) images);
    assertThat(counts.get("read").get("captions").asLong()).isEqualTo(images);
    long mismatched = 0;
    for (JsonNode v : counts.get("mismatched")) {
      mismatched += v.asLong();
    }
    assertThat(counts.get("used").asLong() + mismatched).isEqualTo(conversations + questions + images);
    assertThat(counts.get("used").asLong()).isPositive();
    // a 48-token context cannot hold the long descriptions: they are counted, not silently masked
    assertThat(mismatched + counts.get("samples_cut_by_context").asLong()).isPositive();
    assertThat(tuned).contains("samples");
  }

  /** instruct.start = towers: LLaVA's "stage 2 without stage 1" ablation, the connector starting fresh. */
  @Test
  void stageTwoWithoutStageOneStartsFromTheTowers() throws Exception {
    List<String> o = base("towers", "instruct.start=towers", "instruct.max-steps=5",
        "instruct.from=\"" + dir.resolve("no-stage-1") + "\"", "align.vision-select-feature=patch-centred");
    String tuned = run(new InstructJob(), o);
    String stage2 = Checkpoints.latestComplete(dir.resolve("towers/checkpoints/instruct/checkpoints").toString(),
        CONF).orElseThrow();
    ModelCheckpoints.Loaded s2 = ModelCheckpoints.load(stage2, CONF);
    VisionLanguageModel.Shape shape = s2.as(ModelArchitecture.VisionLanguage.class, "test").shape();
    // the shape stage 1 would have made, and the towers as parents (no stage-1 checkpoint exists)
    assertThat(shape).as(tuned).isEqualTo(AlignJob.shape(ModelCheckpoints.load(clip, CONF)
        .as(ModelArchitecture.Clip.class, "test").shape(), ModelCheckpoints.load(lm, CONF)
        .as(ModelArchitecture.Language.class, "test").shape(), VisionSettings.from(new ConfigReader(
        ConfigLoader.load(new ConfigSources(List.of(), o))), AlignConfig.SECTION)));
    assertThat(shape.features()).isEqualTo(VisionFeatures.PATCH_CENTRED); // and the checkpoint records it
    assertThat(s2.manifest().parents()).hasSize(2);
    ComputationGraph g2 = s2.model();
    ComputationGraph clipModel = ModelCheckpoints.load(clip, CONF).model();
    for (String layer : ClipModel.visionTowerLayers(shape.visionLayers())) {
      assertSame(g2, clipModel, layer);
    }
    ComputationGraph lmModel = ModelCheckpoints.load(lm, CONF).model();
    for (String layer : decoderLayers(shape)) {
      assertDiffers(g2, lmModel, layer);
    }
    assertThatThrownBy(() -> run(new InstructJob(), base("bad-start", "instruct.start=stage-0")))
        .hasMessageContaining("instruct.start").hasMessageContaining("towers");
  }

  /**
   * align.fusion = cross-attention: Flamingo's gated blocks train with the resampler in stage 1 while both towers
   * stay bitwise frozen, and stage 2 carries them on; an unknown fusion is refused naming the key.
   */
  @Test
  void crossAttentionFusionTrainsTheGatedBlocksAndLeavesTheTowersFrozen() throws Exception {
    List<String> o = base("flamingo", "align.connector=resampler", "align.resampler-queries=4",
        "align.fusion=cross-attention", "align.cross-attention-every=1", "align.max-steps=8",
        "instruct.max-steps=4");
    String aligned = run(new AlignJob(), o);
    Path root = dir.resolve("flamingo");
    ModelCheckpoints.Loaded s1 = ModelCheckpoints.load(Checkpoints.latestComplete(
        root.resolve("checkpoints/align/checkpoints").toString(), CONF).orElseThrow(), CONF);
    VisionLanguageModel.Shape shape = s1.as(ModelArchitecture.VisionLanguage.class, "test").shape();
    assertThat(shape.fusion()).as(aligned).isEqualTo(new Fusion.CrossAttention(1));
    assertThat(shape.crossAttentionBlocks()).isEqualTo(shape.lm().tower().layers());
    ComputationGraph g1 = s1.model();
    ComputationGraph clipModel = ModelCheckpoints.load(clip, CONF).model();
    ComputationGraph lmModel = ModelCheckpoints.load(lm, CONF).model();
    for (String layer : ClipModel.visionTowerLayers(shape.visionLayers())) {
      assertSame(g1, clipModel, layer);
    }
    for (String layer : decoderLayers(shape)) {
      assertSame(g1, lmModel, layer);
    }
    for (int i = 0; i < shape.crossAttentionBlocks(); i++) {
      // the tanh gates start at 0 (the LM unchanged) and training opens them
      INDArray gate = g1.getLayer(VisionLanguageModel.crossAttention(i)).paramTable()
          .get(GatedCrossAttention.ATTN_GATE);
      assertThat(gate.getDouble(0)).as("xattn " + i + " attention gate").isNotZero();
    }
    String tuned = run(new InstructJob(), o);
    ModelCheckpoints.Loaded s2 = ModelCheckpoints.load(Checkpoints.latestComplete(
        root.resolve("checkpoints/instruct/checkpoints").toString(), CONF).orElseThrow(), CONF);
    assertThat(s2.as(ModelArchitecture.VisionLanguage.class, "test").shape()).as(tuned).isEqualTo(shape);
    ComputationGraph g2 = s2.model();
    for (String layer : ClipModel.visionTowerLayers(shape.visionLayers())) {
      assertSame(g2, g1, layer);
    }
    assertDiffers(g2, g1, VisionLanguageModel.crossAttention(0));
    assertDiffers(g2, g1, LanguageModel.BLOCK + 0);
    assertThatThrownBy(() -> run(new AlignJob(), base("bad-fusion", "align.fusion=perceiver")))
        .hasMessageContaining("align.fusion").hasMessageContaining("prefix, cross-attention");
  }

  @Test
  void badStartingPointsAreRefusedBeforeAnyWork() throws Exception {
    // stage 2 from a checkpoint that is not a vision-language model
    assertThatThrownBy(() -> run(new InstructJob(), base("wrong-kind", "instruct.from=\"" + clip + "\"")))
        .hasMessageContaining("instruct.from").hasMessageContaining("clip-nano");
    // stage 1 with a vision layer the tower does not have
    assertThatThrownBy(() -> run(new AlignJob(), base("no-layer", "align.vision-select-layer=5")))
        .hasMessageContaining("align.vision-select-layer").hasMessageContaining("2 blocks");
    // stage 1 reading the tower by a feature choice that does not exist
    assertThatThrownBy(() -> run(new AlignJob(), base("no-feature", "align.vision-select-feature=patch-mean")))
        .hasMessageContaining("align.vision-select-feature").hasMessageContaining("patch-centred");
    // stage 1 without a CLIP
    assertThatThrownBy(() -> run(new AlignJob(), base("no-clip", "align.clip=\"" + dir.resolve("nothing") + "\"")))
        .hasMessageContaining("align.clip");
    // stage 1 on a pairs dataset that is not there: named with its key
    assertThatThrownBy(() -> run(new AlignJob(), base("no-input", "align.input=\"" + dir.resolve("nothing")
        + "\""))).hasMessageContaining("align.input: No dataset at " + dir.resolve("nothing"));
    // a captions file whose annotation names an image it does not list
    java.nio.file.Files.writeString(world.resolve("bad_captions.json"), "{\"images\": [{\"id\": 1, \"file_name\": "
        + "\"a.jpg\"}], \"annotations\": [{\"id\": 7, \"image_id\": 2, \"caption\": \"a red star\"}]}");
    assertThatThrownBy(() -> run(new InstructJob(), base("bad-captions", "instruct.start=towers",
        "instruct.captions.file=bad_captions.json"))).hasMessageContaining("bad_captions.json")
        .hasMessageContaining("annotations[0] (id 7) names image 2");
    // a conversation turn without its text (it would train an empty answer) and a questions file of another kind
    java.nio.file.Files.writeString(world.resolve("no_value.json"), "[{\"id\": \"c1\", \"image\": \"a.jpg\", "
        + "\"conversations\": [{\"from\": \"human\", \"value\": \"What is it?\"}, {\"from\": \"gpt\"}]}]");
    assertThatThrownBy(() -> run(new InstructJob(), base("no-value", "instruct.start=towers",
        "instruct.conversations=no_value.json"))).hasMessageContaining("no_value.json item 1 (id c1): turn 2 has no "
        + "text 'value'");
    java.nio.file.Files.writeString(world.resolve("not_questions.json"), "{\"images\": []}");
    assertThatThrownBy(() -> run(new InstructJob(), base("not-questions", "instruct.start=towers",
        "instruct.vqa.questions=not_questions.json"))).hasMessageContaining("not_questions.json has no 'questions' "
        + "array");
    // a file named under instruct.root that is not there: named with its key, before any training
    assertThatThrownBy(() -> run(new InstructJob(), base("gone-annotations", "instruct.start=towers",
        "instruct.vqa.annotations=gone.json"))).isInstanceOf(io.sparkvlm.core.config.ConfigError.class)
        .hasMessageContaining("Config key 'instruct.vqa' names " + world.resolve("gone.json"));
    assertThat(dir.resolve("bad-captions/checkpoints/instruct")).doesNotExist();
    assertThat(dir.resolve("no-value/checkpoints/instruct")).doesNotExist();
    assertThat(dir.resolve("wrong-kind/checkpoints/instruct")).doesNotExist();
    assertThat(dir.resolve("no-layer/checkpoints/align")).doesNotExist();
  }

  private static List<String> decoderLayers(VisionLanguageModel.Shape s) {
    List<String> out = new ArrayList<>(List.of(TextStem.TOKENS, TextStem.STEM));
    for (int i = 0; i < s.lm().tower().layers(); i++) {
      out.add(LanguageModel.BLOCK + i);
    }
    out.add(VisionLanguageModel.HEAD);
    return out;
  }

  private static void assertSame(ComputationGraph a, ComputationGraph b, String layer) {
    Map<String, INDArray> pa = a.getLayer(layer).paramTable();
    Map<String, INDArray> pb = b.getLayer(layer).paramTable();
    assertThat(pa.keySet()).as(layer).isEqualTo(pb.keySet());
    pa.forEach((k, v) -> assertThat(Arrays.equals(v.ravel().toFloatVector(), pb.get(k).ravel().toFloatVector()))
        .as(layer + "/" + k + " bitwise unchanged").isTrue());
  }

  private static void assertDiffers(ComputationGraph a, ComputationGraph b, String layer) {
    Map<String, INDArray> pa = a.getLayer(layer).paramTable();
    Map<String, INDArray> pb = b.getLayer(layer).paramTable();
    boolean changed = pa.entrySet().stream().anyMatch(e -> !Arrays.equals(e.getValue().ravel().toFloatVector(),
        pb.get(e.getKey()).ravel().toFloatVector()));
    assertThat(changed).as(layer + " trained").isTrue();
  }
}
