package io.sparkvlm.core.clipeval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.dataset.DatasetError;
import io.sparkvlm.core.dataset.JsonFiles;
import io.sparkvlm.core.io.HadoopFiles;
import io.sparkvlm.core.io.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Held-out sets for CLIP evaluation, in the synthetic world's files (docs/synthetic-world.md), any Hadoop path;
 * image paths inside them are relative to {@code root}:
 * <ul>
 *   <li>retrieval: JSON lines {@code {"image": ..., "captions": [...]}};
 *   <li>zero-shot: one JSON file per task {@code {"task", "classes": [...], "templates": ["a photo of a {}.",
 *       ...], "samples": [{"image", "label"}]}} (CLIP_benchmark's class names and templates);
 *   <li>linear-probe training: per task, the same without templates, over training images (the synthetic world's
 *       seed split, Fashion-MNIST's train split); its task and classes must be a zero-shot task's.
 * </ul>
 * Each set keeps at most {@code maxImages} images (the first ones, so every run sees the same). An image file named
 * by several sets is read once and shared (the same array), so evaluation can embed it once.
 */
public record ClipEvalSets(Optional<RetrievalSet> retrieval, List<ZeroShotTask> zeroShot,
    List<LabelledSet> probeTrain) {

  /**
   * The file in a folder of evaluation sets that lists them (an evaluation suite), relative to the folder: a JSON
   * object with the keys of a {@code eval.model.suites} entry ({@code retrieval}, {@code zero-shot},
   * {@code probe-train}, {@code captions}, {@code vqa-questions}, {@code vqa-annotations}, {@code vqa-images}).
   * {@code vlm synth} and {@code vlm synth fashion-mnist} write one.
   */
  public static final String SUITE_FILE = "suite.json";

  public record RetrievalSet(List<byte[]> images, List<List<String>> captions) {}

  public record ZeroShotTask(String name, List<String> classes, List<String> templates, List<byte[]> images,
      int[] labels) {}

  /** Labelled images of a task, for training a linear probe. */
  public record LabelledSet(String task, List<String> classes, List<byte[]> images, int[] labels) {}

  public ClipEvalSets {
    zeroShot = List.copyOf(zeroShot);
    probeTrain = List.copyOf(probeTrain);
  }

  public ClipEvalSets(Optional<RetrievalSet> retrieval, List<ZeroShotTask> zeroShot) {
    this(retrieval, zeroShot, List.of());
  }

  public boolean isEmpty() {
    return retrieval.isEmpty() && zeroShot.isEmpty();
  }

  public static ClipEvalSets read(String root, Optional<String> retrievalFile, List<String> zeroShotFiles,
      int maxImages, Configuration conf) throws IOException {
    return read(root, retrievalFile, zeroShotFiles, List.of(), maxImages, conf);
  }

  public static ClipEvalSets read(String root, Optional<String> retrievalFile, List<String> zeroShotFiles,
      List<String> probeTrainFiles, int maxImages, Configuration conf) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    Optional<RetrievalSet> retrieval = Optional.empty();
    if (retrievalFile.isPresent()) {
      Path file = new Path(root, retrievalFile.get());
      List<byte[]> images = new ArrayList<>();
      List<List<String>> captions = new ArrayList<>();
      int lineNo = 0;
      for (String line : new String(HadoopFiles.readAll(file, conf), StandardCharsets.UTF_8).split("\n")) {
        lineNo++;
        if (line.isBlank() || images.size() >= maxImages) {
          continue;
        }
        JsonNode n;
        try {
          n = Json.WHOLE_TREE.readValue(line);
        } catch (JsonProcessingException e) {
          throw new DatasetError(file + ":" + lineNo + ": not a JSON line: " + e.getOriginalMessage(), e);
        }
        if (!n.hasNonNull("image") || !n.path("captions").isArray() || n.path("captions").isEmpty()) {
          throw new DatasetError(file + ":" + lineNo + ": a retrieval line needs \"image\" and non-empty \"captions\"");
        }
        images.add(image(root, n.get("image").asText(), file, files, conf));
        List<String> cs = new ArrayList<>();
        n.get("captions").forEach(c -> cs.add(c.asText()));
        captions.add(cs);
      }
      retrieval = Optional.of(new RetrievalSet(images, captions));
    }
    List<ZeroShotTask> tasks = new ArrayList<>();
    for (String name : zeroShotFiles) {
      Path file = new Path(root, name);
      JsonNode n = JsonFiles.read(file, conf, "the eval set file");
      LabelledSet set = labelled(root, name, n, file, maxImages, files, conf);
      tasks.add(new ZeroShotTask(set.task(), set.classes(), strings(n, "templates", file), set.images(),
          set.labels()));
    }
    List<LabelledSet> probeTrain = new ArrayList<>();
    for (String name : probeTrainFiles) {
      Path file = new Path(root, name);
      LabelledSet set = labelled(root, name, JsonFiles.read(file, conf, "the eval set file"), file, maxImages, files,
          conf);
      ZeroShotTask task = tasks.stream().filter(t -> t.name().equals(set.task())).findFirst().orElseThrow(() ->
          new DatasetError(file + ": linear-probe training set for task '" + set.task() + "', which no zero-shot "
              + "file of this suite has"));
      if (!task.classes().equals(set.classes())) {
        throw new DatasetError(file + ": classes " + set.classes() + " differ from task '" + set.task()
            + "' (" + task.classes() + ")");
      }
      probeTrain.add(set);
    }
    return new ClipEvalSets(retrieval, tasks, probeTrain);
  }

  /** A task file's name, classes and samples (at most {@code maxImages}). */
  private static LabelledSet labelled(String root, String name, JsonNode n, Path file, int maxImages,
      Map<String, byte[]> files, Configuration conf) throws IOException {
    List<String> classes = strings(n, "classes", file);
    List<byte[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    if (!n.path("samples").isArray()) {
      throw new DatasetError(file + ": no 'samples' array of {image, label} (an empty one is read as no images)");
    }
    for (JsonNode s : n.path("samples")) {
      if (images.size() >= maxImages) {
        break;
      }
      int label = s.path("label").asInt(-1);
      if (label < 0 || label >= classes.size()) {
        throw new DatasetError(file + ": sample " + s + " has a label outside 0.." + (classes.size() - 1));
      }
      images.add(image(root, s.path("image").asText(), file, files, conf));
      labels.add(label);
    }
    String task = n.path("task").asText(new Path(name).getName().replaceFirst("\\.json$", ""));
    return new LabelledSet(task, classes, images, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The image {@code name} (relative to {@code root}) that {@code set} names, read once per name. */
  private static byte[] image(String root, String name, Path set, Map<String, byte[]> files, Configuration conf)
      throws IOException {
    byte[] bytes = files.get(name);
    if (bytes == null) {
      Path file = new Path(root, name);
      try {
        bytes = HadoopFiles.readAll(file, conf);
      } catch (FileNotFoundException e) {
        throw new DatasetError(set + " names the image " + name + ", which is not under its root " + root, e);
      }
      files.put(name, bytes);
    }
    return bytes;
  }

  private static List<String> strings(JsonNode n, String field, Path file) throws IOException {
    if (!n.path(field).isArray() || n.path(field).isEmpty()) {
      throw new DatasetError(file + ": \"" + field + "\" must be a non-empty list");
    }
    List<String> out = new ArrayList<>();
    n.get(field).forEach(x -> out.add(x.asText()));
    return out;
  }
}
