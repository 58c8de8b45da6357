package io.sparkvlm.filter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.config.ConfigReader;
import io.sparkvlm.core.dataset.BootstrappedPairs;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.DatasetManifest;
import io.sparkvlm.core.dataset.Datasets;
import io.sparkvlm.core.dataset.InputRef;
import io.sparkvlm.core.dataset.PairStatus;
import io.sparkvlm.core.dataset.PairsSchema;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import io.sparkvlm.core.job.StageResult;
import io.sparkvlm.core.model.ClipInputs;
import io.sparkvlm.core.model.ClipModel;
import io.sparkvlm.core.model.ClipShape;
import io.sparkvlm.core.model.LanguageModel;
import io.sparkvlm.core.model.MatchingModel;
import io.sparkvlm.core.model.ModelArchitecture;
import io.sparkvlm.core.model.ModelCheckpoints;
import io.sparkvlm.core.model.Nd4jThreads;
import io.sparkvlm.core.model.VisionLanguageModel;
import io.sparkvlm.core.model.VisionTower;
import io.sparkvlm.core.model.layers.ClipLoss;
import io.sparkvlm.core.runtime.Versions;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.Tokenizer;
import io.sparkvlm.training.TrainingItems;
import io.sparkvlm.training.TrainingRun;
import io.sparkvlm.training.executor.ExecutorEmbedder;
import io.sparkvlm.training.vlm.VisionLanguageTraining;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BLIP's captioner-filter bootstrapping as a Spark job: fine-tune a captioner and a filter on the clean seed set,
 * caption every web image, score every text, keep what matches, and write the bootstrapped dataset, the decisions
 * and a manifest. Every input row and every generated text is in the output, kept or not.
 */
public final class CapFilt {
  private static final Logger LOG = LoggerFactory.getLogger(CapFilt.class);
  public static final String DECISIONS = "decisions";
  public static final String MANIFEST = "filter_manifest.json";
  /** The run manifest's object of {@link FilterCounts}. */
  private static final String COUNTS = "counts";
  /** At most this many web captions are kept on the driver for the matcher's web negatives. */
  static final int WEB_NEGATIVE_POOL = 50_000;
  /** At most this many negative pairs of each kind calibrate the matcher's ITC part. */
  static final int CALIBRATION_PAIRS = 200_000;
  /** Outputs are written over what is there once {@link #checkExistingRun} has refused a complete run. */
  private static final boolean REPLACE_CHECKED = true;

  private final SparkSession spark;
  private final FilterConfig c;
  private final Configuration conf;
  private final JavaSparkContext sc;

  CapFilt(SparkSession spark, FilterConfig config) {
    this.spark = spark;
    this.c = config;
    this.conf = spark.sparkContext().hadoopConfiguration();
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  StageResult run() throws IOException {
    Instant started = Instant.now();
    boolean overwrite = c.overwrite();
    // everything is checked before any work: the models' kinds and shapes, the input's schema, the seed set
    ModelCheckpoints.Loaded clip = ModelCheckpoints.loadFor("filter.clip", c.clip(), conf);
    ClipShape clipShape = clip.as(ModelArchitecture.Clip.class, "filter.clip").shape();
    Tokenizer clipTokenizer = clip.requireTokenizer();
    Optional<ModelCheckpoints.Loaded> lm = c.mode().captions()
        ? Optional.of(ModelCheckpoints.loadFor("filter.lm", c.lm(), conf))
        : Optional.empty();
    Optional<LanguageModel.Shape> lmShape = lm.map(l -> l.as(ModelArchitecture.Language.class, "filter.lm").shape());
    Dataset<Row> pairs = Datasets.readFor(FilterConfig.INPUT, spark, c.input(), PairsSchema.SCHEMA)
        .drop(BootstrappedPairs.TEXT_SOURCE, BootstrappedPairs.ITM_SCORE, BootstrappedPairs.ITC_SCORE);
    StructType input = pairs.schema();
    List<SeedSet.Image> seed = SeedSet.read(c.seedRoot(), c.seedPairs(), c.seedFormat(), conf);
    checkExistingRun(overwrite);
    int threads = TrainingRun.threads(spark, c.matcher().training());
    Nd4jThreads.set(threads);
    LOG.info("filter: mode {}, round-0 CLIP {} ({}), {} seed images with {} captions", c.mode(),
        clipShape.name(), clip.location(), seed.size(), seed.stream().mapToInt(s -> s.captions().size()).sum());

    Optional<String> captioner = Optional.empty();
    Optional<VisionLanguageModel.Shape> captionerShape = Optional.empty();
    if (c.mode().captions()) {
      clipShape.imagePool().featuresWarning("filter.captioner.vision-select-feature", c.captioner().features())
          .ifPresent(LOG::warn);
      captionerShape = Optional.of(captionerShape(clipShape, lmShape.get(), c.captioner()));
      captioner = Optional.of(trainCaptioner(seed, clip, lm.get(), captionerShape.get()));
    }
    Optional<String> matcher = Optional.empty();
    MatchingModel.Shape matcherShape = MatchingModel.Shape.of(clipShape, c.matcher().head());
    if (c.mode().filters()) {
      matcher = Optional.of(trainMatcher(seed, pairs, clip, clipShape, clipTokenizer, matcherShape));
    }

    // captions, then scores, on the executors
    JavaRDD<Row> success = balanced(
        pairs.filter(PairsSchema.STATUS + " = '" + PairStatus.SUCCESS.value() + "'").javaRDD());
    Broadcast<byte[]> clipBytes = sc.broadcast(clip.modelZip());
    Broadcast<Tokenizer> clipTok = sc.broadcast(clipTokenizer);
    List<Broadcast<?>> broadcasts = new ArrayList<>(List.of(clipBytes, clipTok));
    JavaRDD<WebTexts.Texts> texts;
    if (captioner.isPresent()) {
      ModelCheckpoints.Loaded trained = ModelCheckpoints.load(captioner.get(), conf);
      Broadcast<byte[]> capBytes = sc.broadcast(trained.modelZip());
      Broadcast<BpeTokenizer> lmTok = sc.broadcast(lm.get().requireBpeTokenizer());
      broadcasts.add(capBytes);
      broadcasts.add(lmTok);
      texts = WebTexts.captioned(success, capBytes, captionerShape.get(), lmTok, c.captions(), threads);
    } else {
      texts = WebTexts.webOnly(success);
    }
    Optional<Broadcast<byte[]>> matcherBytes = Optional.empty();
    if (matcher.isPresent()) {
      Broadcast<byte[]> m = sc.broadcast(ModelCheckpoints.load(matcher.get(), conf).modelZip());
      broadcasts.add(m);
      matcherBytes = Optional.of(m);
    }
    JavaRDD<WebTexts.Scored> scored = WebTexts.scored(texts, clipBytes, clipShape, matcherBytes, matcherShape,
        clipTok, c.scoreBatch(), threads).persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      long images = scored.count();
      LOG.info("filter: {} web images captioned and scored", images);
      Bootstrapping.Rule rule = Bootstrapping.Rule.of(c.mode(), c.itmThreshold(), c.itcThreshold(),
          c.mode() == FilterConfig.Mode.CLIP_SCORE ? clipScoreCut(scored) : Double.NaN);
      FilterCounts counts = scored.map(s -> FilterCounts.of(s, rule)).fold(FilterCounts.NONE, FilterCounts::plus);
      writeDecisions(scored, rule);
      StructType out = Bootstrapping.outputSchema(input);
      JavaRDD<Row> rows = scored.flatMap(s -> Bootstrapping.rows(s, rule, input).iterator())
          .union(pairs.filter(PairsSchema.STATUS + " != '" + PairStatus.SUCCESS.value() + "'").javaRDD()
              .map(r -> Bootstrapping.passThrough(r, input)))
          .union(sc.parallelize(seedRows(seed, input), Math.max(1, sc.defaultParallelism())));
      Datasets.writeRows(spark.createDataFrame(rows, out), c.output(), BootstrappedPairs.SCHEMA,
          REPLACE_CHECKED);
      List<InputRef> inputs = new ArrayList<>(List.of(InputRef.of(c.input(), conf), InputRef.of(clip.location(), conf),
          InputRef.of(new Path(c.seedRoot(), c.seedPairs()).toString(), conf)));
      if (lm.isPresent()) {
        inputs.add(InputRef.of(lm.get().location(), conf));
      }
      writeManifest(counts, rule, inputs, captioner, matcher, clip, lm, started);
      String summary = String.format("%s: %d web images, web texts kept %d / dropped %d, synthetic kept %d of %d; "
              + "%d images with a kept text, %d with none; %d seed pairs; bootstrapped dataset %s", c.mode(),
          counts.images(), counts.webKept(), counts.webDropped(), counts.syntheticKept(),
          counts.syntheticGenerated(), counts.imagesWithKeptText(), counts.imagesWithoutKeptText(),
          seed.stream().mapToInt(s -> s.captions().size()).sum(), c.output());
      return new StageResult(List.of(new Datasets.WrittenDataset(c.output(), BootstrappedPairs.SCHEMA, inputs)),
          summary);
    } finally {
      scored.unpersist(false);
      broadcasts.forEach(Broadcast::destroy);
    }
  }

  /**
   * A run is complete when its manifest and the bootstrapped dataset's exist (written in that order, after the
   * decisions and rows).
   */
  static List<String> completionMarkers(FilterConfig c) {
    return List.of(new Path(c.run(), MANIFEST).toString(),
        new Path(c.output(), DatasetManifest.FILE_NAME).toString());
  }

  /**
   * Refuses to redo a complete run without overwrite. An incomplete one (a run that stopped before its manifests)
   * is replaced, as ingest replaces an output without a manifest: after this check the markers are removed and the
   * decisions and the bootstrapped dataset are written over whatever is there ({@link #REPLACE_CHECKED}).
   */
  private void checkExistingRun(boolean overwrite) throws IOException {
    if (HadoopFiles.missing(completionMarkers(c), conf).isEmpty() && !overwrite) {
      throw new DatasetError("A filter run is already complete at " + c.run() + " (bootstrapped dataset "
          + c.output() + "): pass --overwrite (output.overwrite = true) to redo it, or output.skip-complete = true "
          + "to keep it");
    }
    if (!overwrite && (HadoopFiles.existsWithContent(new Path(c.run(), DECISIONS), conf)
        || HadoopFiles.existsWithContent(new Path(c.output()), conf))) {
      LOG.info("filter: replacing the incomplete run at {} (its manifests are missing); the captioner and matcher "
          + "training runs resume when their resume keys are true", c.run());
    }
    // the run is redone from here: its completion markers go first, so a run that stops midway never leaves an old
    // run's markers over decisions and rows that are new, half written or gone
    for (String marker : completionMarkers(c)) {
      Path p = new Path(marker);
      p.getFileSystem(conf).delete(p, false);
    }
  }

  /**
   * The successful rows spread evenly over at least as many partitions as the cluster has cores. The input's
   * partitions follow its files (shards of different sizes packed by bytes: 835 and 436 images in the demo), and
   * captioning is slow enough per image that the largest partition sets the stage's time. Each row's captions and
   * scores depend on the row alone, so the shuffle changes no output.
   */
  private JavaRDD<Row> balanced(JavaRDD<Row> success) {
    return success.repartition(Math.max(success.getNumPartitions(), sc.defaultParallelism()));
  }

  /** The counts of a finished run, from its manifest under {@code run}. */
  public static FilterCounts readCounts(String run, Configuration conf) throws IOException {
    Path manifest = new Path(run, MANIFEST);
    return FilterCounts.fromJson(Json.MAPPER.readTree(HadoopFiles.readAll(manifest, conf)).path(COUNTS));
  }

  /** The cosine at the top fraction of web texts (clip-score mode without a fixed threshold). */
  private double clipScoreCut(JavaRDD<WebTexts.Scored> scored) {
    if (c.clipScore().threshold().isPresent()) {
      return c.clipScore().threshold().getAsDouble();
    }
    Dataset<Double> itc = spark.createDataset(scored.map(s -> s.itc()[0]).rdd(), Encoders.DOUBLE());
    double[] q = itc.stat().approxQuantile("value", new double[] {1 - c.clipScore().topFraction()}, 0);
    LOG.info("filter: clip-score keeps the top {} of web texts: cosine >= {}", c.clipScore().topFraction(),
        String.format("%.4f", q[0]));
    return q[0];
  }

  private static List<Row> seedRows(List<SeedSet.Image> seed, StructType input) {
    List<Row> rows = new ArrayList<>();
    for (SeedSet.Image image : seed) {
      for (int j = 0; j < image.captions().size(); j++) {
        rows.add(Bootstrapping.seed(image, j, input));
      }
    }
    return rows;
  }

  /**
   * The captioner: the round-0 CLIP's vision tower (its penultimate block, read by {@code captioner}'s features), its
   * connector and the LM.
   */
  static VisionLanguageModel.Shape captionerShape(ClipShape clip, LanguageModel.Shape lm, FilterConfig.Captioner c) {
    VisionTower vision = clip.visionTower();
    return new VisionLanguageModel.Shape("captioner-" + clip.name().replaceFirst("^clip-", ""), vision, lm,
        c.connector(), c.features(), VisionLanguageModel.Shape.penultimate(vision));
  }

  /** The captioner fine-tuned on the seed captions; returns its newest checkpoint. */
  private String trainCaptioner(List<SeedSet.Image> seed, ModelCheckpoints.Loaded clip, ModelCheckpoints.Loaded lm,
      VisionLanguageModel.Shape shape) throws IOException {
    var s = c.captioner().training();
    BpeTokenizer tokenizer = lm.requireBpeTokenizer();
    int context = shape.lm().contextLength();
    List<VisionLanguageTraining.Item> items = new ArrayList<>();
    for (SeedSet.Image image : seed) {
      for (int j = 0; j < image.captions().size(); j++) {
        items.add(VisionLanguageTraining.Item.plain(BootstrappedPairs.seedKey(image.id(), j), image.image(),
            ClipInputs.tokens(tokenizer, image.captions().get(j), context + 1)));
      }
    }
    VisionLanguageModel.Trainable trainable = c.captioner().trainable() == FilterConfig.CaptionerTrainable.ALL
        ? VisionLanguageModel.Trainable.ALL : VisionLanguageModel.Trainable.INSTRUCT;
    LOG.info("filter: captioner: {} seed captions", items.size());
    String summary = VisionLanguageTraining.train(spark, s, shape, trainable,
        new VisionLanguageTraining.FromTowers(clip, lm), tokenizer,
        List.of(new Path(c.seedRoot(), c.seedPairs()).toString()), "seed captions",
        sc.parallelize(items, Math.max(1, sc.defaultParallelism())));
    LOG.info("filter: captioner: {}", summary);
    return newest(s.output());
  }

  /** The matching model fine-tuned on the seed pairs with ITC hard negatives; returns its newest checkpoint. */
  private String trainMatcher(List<SeedSet.Image> seed, Dataset<Row> pairs, ModelCheckpoints.Loaded clip,
      ClipShape clipShape, Tokenizer tokenizer, MatchingModel.Shape shape) throws IOException {
    var s = c.matcher().training();
    TrainingRun.Start start = TrainingRun.start(s, new ModelArchitecture.Matching(shape), conf);
    // the round-0 CLIP's embeddings of every seed image and caption, and of the web captions, on the executors
    ExecutorEmbedder embedder = new ExecutorEmbedder(sc, clip.modelZip(), clipShape, 64);
    List<MatcherTraining.WebText> webTexts = c.matcher().webNegatives() == 0 ? List.of()
        : webTexts(pairs, tokenizer, clipShape.contextLength(), embedder);
    List<byte[]> images = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    for (int i = 0; i < seed.size(); i++) {
      images.add(seed.get(i).image());
      for (String caption : seed.get(i).captions()) {
        tokens.add(ClipInputs.tokens(tokenizer, caption, clipShape.contextLength()));
      }
    }
    double[][] imageEmb = embedder.images(images);
    double[][] textEmb = embedder.texts(tokens);
    double logitScale = Math.exp(clip.model().getLayer(ClipModel.LOSS).getParam(ClipLoss.LOGIT_SCALE).getDouble(0));
    List<MatcherTraining.Item> items = new ArrayList<>();
    int k = 0;
    for (int i = 0; i < seed.size(); i++) {
      for (int j = 0; j < seed.get(i).captions().size(); j++, k++) {
        items.add(new MatcherTraining.Item(BootstrappedPairs.seedKey(seed.get(i).id(), j), i, seed.get(i).image(),
            tokens.get(k), floats(imageEmb[i]), floats(textEmb[k])));
      }
    }
    Optional<MatchingModel.ItcDecision> itc = shape.head() == MatchingModel.Head.FUSED_AND_ITC
        ? Optional.of(calibrate(items, webTexts, s.seed())) : Optional.empty();
    LOG.info("filter: matcher {} ({} parameters, {} head): {} seed pairs, ITC logit scale {}, {} web negatives per "
        + "pair from {} web captions", shape.name(), shape.params(), shape.head().configName(), items.size(),
        String.format("%.2f", logitScale), c.matcher().webNegatives(), webTexts.size());
    try (TrainingItems<MatcherTraining.Item> rdd = TrainingItems.persist(sc.parallelize(items,
        Math.max(1, sc.defaultParallelism())))) {
      String summary = TrainingRun.train(spark, s, start, List.of(new Path(c.seedRoot(), c.seedPairs()).toString()),
          "seed pairs", rdd.rdd(), tokenizer, new MatcherTraining.ModelTrainer(shape, s.seed(),
              TrainingRun.threads(spark, s), logitScale, clip, webTexts, c.matcher().webNegatives(), itc));
      LOG.info("filter: matcher: {}", summary);
    }
    return newest(s.output());
  }

  /**
   * Where the fused-and-itc head starts: the cosine's logistic fit on the seed pairs against the negatives a
   * training batch holds, other seed images' captions (two rows per pair) and web captions ({@code web-negatives}
   * rows per pair), each group at most {@link #CALIBRATION_PAIRS} pairs drawn by {@code seed}.
   */
  private MatchingModel.ItcDecision calibrate(List<MatcherTraining.Item> items, List<MatcherTraining.WebText> web,
      long seed) {
    double[] matching = new double[items.size()];
    for (int i = 0; i < items.size(); i++) {
      matching[i] = MatcherTraining.dot(items.get(i).imageEmbedding(), items.get(i).textEmbedding());
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
    List<ItcCalibration.Negatives> negatives = new ArrayList<>();
    negatives.add(new ItcCalibration.Negatives("other seed images' captions", otherImagesCaptions(items, random),
        MatchingModel.ROWS_PER_PAIR - 1));
    if (!web.isEmpty()) {
      negatives.add(new ItcCalibration.Negatives("web captions", webCaptions(items, web, random),
          c.matcher().webNegatives()));
    }
    MatchingModel.ItcDecision d = ItcCalibration.fit(matching, negatives);
    LOG.info("filter: matcher starts from the ITC decision P(match) = sigmoid({} * cosine + {}): 0.5 at cosine {}",
        String.format("%.3f", d.slope()), String.format("%.3f", d.intercept()),
        String.format("%.4f", -d.intercept() / d.slope()));
    return d;
  }

  /** Each seed image once: its id and the CLIP's embedding (items are captions; an image has several). */
  private record SeedImage(long id, float[] embedding) {}

  private static List<SeedImage> seedImages(List<MatcherTraining.Item> items) {
    java.util.Map<Long, SeedImage> byId = new java.util.LinkedHashMap<>();
    for (MatcherTraining.Item item : items) {
      byId.putIfAbsent(item.imageId(), new SeedImage(item.imageId(), item.imageEmbedding()));
    }
    return new ArrayList<>(byId.values());
  }

  /** Seed images with the captions of other seed images. */
  private static double[] otherImagesCaptions(List<MatcherTraining.Item> items, SplittableRandom random) {
    return cosines(seedImages(items), items, (image, text) -> image.id() != text.imageId(),
        MatcherTraining.Item::textEmbedding, random);
  }

  /** Seed images with web captions. */
  private static double[] webCaptions(List<MatcherTraining.Item> items, List<MatcherTraining.WebText> web,
      SplittableRandom random) {
    return cosines(seedImages(items), web, (image, text) -> true, MatcherTraining.WebText::embedding, random);
  }

  /**
   * Cosines of images with texts, for the pairs {@code wanted} accepts: all of them when there are at most
   * {@link #CALIBRATION_PAIRS} (image, text) combinations, else {@link #CALIBRATION_PAIRS} accepted pairs drawn.
   */
  private static <T> double[] cosines(List<SeedImage> images, List<T> texts,
      java.util.function.BiPredicate<SeedImage, T> wanted, java.util.function.Function<T, float[]> embedding,
      SplittableRandom random) {
    List<Double> out = new ArrayList<>();
    if ((long) images.size() * texts.size() <= CALIBRATION_PAIRS) {
      for (SeedImage image : images) {
        for (T text : texts) {
          if (wanted.test(image, text)) {
            out.add(MatcherTraining.dot(image.embedding(), embedding.apply(text)));
          }
        }
      }
    } else {
      while (out.size() < CALIBRATION_PAIRS) {
        SeedImage image = images.get(random.nextInt(images.size()));
        T text = texts.get(random.nextInt(texts.size()));
        if (wanted.test(image, text)) {
          out.add(MatcherTraining.dot(image.embedding(), embedding.apply(text)));
        }
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * The web captions the matcher sees as negatives: those of successful rows, the first
   * {@link #WEB_NEGATIVE_POOL} by key (the same pool whatever the partitioning), tokenised for the CLIP, with the
   * CLIP's embeddings.
   */
  private List<MatcherTraining.WebText> webTexts(Dataset<Row> pairs, Tokenizer tokenizer, int context,
      ExecutorEmbedder embedder) {
    List<Row> rows = pairs.filter(PairsSchema.STATUS + " = '" + PairStatus.SUCCESS.value() + "'")
        .select(PairsSchema.KEY, PairsSchema.CAPTION).orderBy(PairsSchema.KEY).limit(WEB_NEGATIVE_POOL)
        .collectAsList();
    List<int[]> tokens = new ArrayList<>(rows.size());
    for (Row r : rows) {
      String caption = r.getString(r.fieldIndex(PairsSchema.CAPTION));
      tokens.add(ClipInputs.tokens(tokenizer, caption == null ? "" : caption, context));
    }
    if (tokens.isEmpty()) {
      throw new DatasetError("filter.matcher.web-negatives takes web captions as negatives, but filter.input ("
          + c.input() + ") has no successful row; set it to 0 to train on the seed pairs alone");
    }
    double[][] embeddings = embedder.texts(tokens);
    List<MatcherTraining.WebText> texts = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      texts.add(new MatcherTraining.WebText(tokens.get(i), floats(embeddings[i])));
    }
    return texts;
  }

  private String newest(String runFolder) throws IOException {
    return Checkpoints.latestComplete(new Path(runFolder, TrainingRun.CHECKPOINTS)
        .toString(), conf).orElseThrow(() -> new CheckpointError("Training wrote no checkpoint under " + runFolder));
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private void writeDecisions(JavaRDD<WebTexts.Scored> scored, Bootstrapping.Rule rule) {
    JavaRDD<String> lines = scored.flatMap(s -> Bootstrapping.decision(s, rule).stream().iterator());
    spark.createDataset(lines.rdd(), Encoders.STRING()).write()
        .mode(SaveMode.Overwrite).text(new Path(c.run(), DECISIONS).toString());
  }

  private void writeManifest(FilterCounts counts, Bootstrapping.Rule rule, List<InputRef> inputs,
      Optional<String> captioner, Optional<String> matcher, ModelCheckpoints.Loaded clip,
      Optional<ModelCheckpoints.Loaded> lm, Instant started) throws IOException {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("stage", "filter");
    m.put("mode", ConfigReader.configName(c.mode()));
    m.put("bootstrapped", c.output());
    m.put("decisions", new Path(c.run(), DECISIONS).toString());
    m.put("round0_clip", clip.location());
    lm.ifPresent(l -> m.put("lm", l.location()));
    captioner.ifPresent(p -> m.put("captioner", p));
    matcher.ifPresent(p -> m.put("matcher", p));
    m.set("inputs", Json.MAPPER.valueToTree(inputs));
    ObjectNode thresholds = m.putObject("thresholds");
    thresholds.put("itm", rule.itm());
    rule.itc().ifPresent(v -> thresholds.put("itc", v));
    if (!Double.isNaN(rule.clipScoreCut())) {
      thresholds.put("clip_score", rule.clipScoreCut());
    }
    m.set(COUNTS, Json.MAPPER.valueToTree(counts.asMap()));
    m.set("versions", Json.MAPPER.valueToTree(Versions.all()));
    m.put("started_at", started.toString());
    m.put("finished_at", Instant.now().toString());
    HadoopFiles.writeAtomically(new Path(c.run(), MANIFEST), Json.MAPPER.writeValueAsBytes(m), conf);
  }
}
