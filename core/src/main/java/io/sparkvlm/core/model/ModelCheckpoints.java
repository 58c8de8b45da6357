package io.sparkvlm.core.model;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.text.BpeTokenizer;
import io.sparkvlm.core.text.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A model checkpoint folder: {@code model.zip} (DL4J's format: configuration, parameters and updater state, so
 * training resumes where it stopped), {@code tokenizer.json} when the model has a tokenizer (a BPE one, or a
 * reference to OpenCLIP's, see {@link Tokenizer}), and
 * {@code manifest.json} written last (see {@link Checkpoints}). Any Hadoop path.
 */
public final class ModelCheckpoints {
  public static final String MODEL = "model.zip";
  public static final String TOKENIZER = "tokenizer.json";

  private ModelCheckpoints() {}

  public static void save(ComputationGraph model, Optional<? extends Tokenizer> tokenizer, String location,
      CheckpointManifest manifest, boolean overwrite, Configuration conf) throws IOException {
    Checkpoints.write(location, overwrite, manifest, (fs, folder) -> {
      try (OutputStream out = fs.create(new Path(folder, MODEL))) {
        ModelSerializer.writeModel(model, out, true);
      }
      if (tokenizer.isPresent()) {
        try (OutputStream out = fs.create(new Path(folder, TOKENIZER))) {
          out.write(tokenizer.get().toJson().getBytes(StandardCharsets.UTF_8));
        }
      }
    }, conf);
  }

  /** The model with its updater state; refuses a folder without a manifest (an incomplete checkpoint). */
  public static ComputationGraph loadModel(String location, Configuration conf) throws IOException {
    Checkpoints.readManifest(location, conf);
    return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(modelZip(location, conf)), true);
  }

  /**
   * The bytes of the checkpoint's {@code model.zip}, checked whole: every entry is read to its end, so a file cut
   * short or damaged (an interrupted copy to S3, where no checksum file travels with it) is an error naming the
   * checkpoint here, on the driver, not a zlib error in an executor's task.
   */
  public static byte[] modelZip(String location, Configuration conf) throws IOException {
    Path model = new Path(location, MODEL);
    if (!model.getFileSystem(conf).exists(model)) {
      throw new CheckpointError("Checkpoint " + location + " has no " + MODEL);
    }
    byte[] bytes = io.sparkvlm.core.io.HadoopFiles.readAll(model, conf);
    int entries = 0;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      byte[] buffer = new byte[1 << 16];
      while (zip.getNextEntry() != null) {
        entries++;
        while (zip.read(buffer) >= 0) {
          // read to the entry's end, where its CRC is checked
        }
      }
    } catch (IOException e) {
      throw new CheckpointError("Checkpoint " + location + ": " + MODEL + " (" + bytes.length + " bytes) is damaged "
          + "or cut short: " + e.getMessage(), e);
    }
    if (entries == 0) {
      throw new CheckpointError("Checkpoint " + location + ": " + MODEL + " (" + bytes.length + " bytes) is not a "
          + "zip archive");
    }
    return bytes;
  }

  /** A checkpoint read whole: where it is, its manifest and recorded architecture, the model bytes, the tokenizer. */
  public record Loaded(String location, CheckpointManifest manifest, ModelArchitecture architecture, byte[] modelZip,
      Optional<Tokenizer> tokenizer) {

    /** The architecture as {@code kind}, or an error naming the checkpoint, what it is and the config key. */
    public <A extends ModelArchitecture> A as(Class<A> kind, String configKey) {
      if (!kind.isInstance(architecture)) {
        throw new CheckpointError("Config key '" + configKey + "': checkpoint " + location + " is a "
            + architecture.name() + " (" + architecture.getClass().getSimpleName() + "), not a "
            + kind.getSimpleName());
      }
      return kind.cast(architecture);
    }

    /** The model, with its updater state. */
    public ComputationGraph model() throws IOException {
      return ModelSerializer.restoreComputationGraph(new java.io.ByteArrayInputStream(modelZip), true);
    }

    /** The tokenizer of the model's text tower (a CLIP's, a language model's). */
    public Tokenizer requireTokenizer() {
      return tokenizer.orElseThrow(() -> new CheckpointError("Checkpoint " + location + " has no " + TOKENIZER));
    }

    /** The tokenizer a language model needs: spark-vlm's BPE, with the chat template's special tokens. */
    public BpeTokenizer requireBpeTokenizer() {
      return asBpe(requireTokenizer(), location);
    }
  }

  /**
   * The checkpoint at {@code location} (a checkpoint folder or a run folder, see {@link Checkpoints#resolve}), with
   * its recorded architecture, which must be there (checkpoints written before manifests recorded it cannot be
   * handed between stages).
   */
  public static Loaded load(String location, Configuration conf) throws IOException {
    return read(location, conf);
  }

  /** As {@link #load}, for a checkpoint a config key names: a failure to read it names the key. */
  public static Loaded loadFor(String configKey, String location, Configuration conf) throws IOException {
    try {
      return read(location, conf);
    } catch (CheckpointError e) {
      throw new CheckpointError(configKey + ": " + e.getMessage(), e);
    }
  }

  private static Loaded read(String location, Configuration conf) throws IOException {
    String resolved = Checkpoints.resolve(location, conf);
    CheckpointManifest manifest = Checkpoints.readManifest(resolved, conf);
    ModelArchitecture architecture = ModelArchitecture.of(manifest, resolved).orElseThrow(() ->
        new CheckpointError("Checkpoint " + resolved + " records no architecture (written before manifests did): "
            + "retrain or re-save it with this version"));
    return new Loaded(resolved, manifest, architecture, modelZip(resolved, conf), loadTokenizer(resolved, conf));
  }

  public static Optional<Tokenizer> loadTokenizer(String location, Configuration conf) throws IOException {
    Path file = new Path(location, TOKENIZER);
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      return Optional.empty();
    }
    try (InputStream in = fs.open(file)) {
      return Optional.of(Tokenizer.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new CheckpointError("Checkpoint " + location + ": " + TOKENIZER + " does not read: " + e.getMessage(), e);
    }
  }

  /** {@code t} (read from the checkpoint at {@code location}) as spark-vlm's BPE, or an error saying why not. */
  public static BpeTokenizer asBpe(Tokenizer t, String location) {
    if (t instanceof BpeTokenizer b) {
      return b;
    }
    throw new CheckpointError("Checkpoint " + location + " has " + t.getClass().getSimpleName() + " (a CLIP imported "
        + "from OpenCLIP); this needs spark-vlm's BPE tokenizer, with the special tokens of a language model and of "
        + "training: use a checkpoint trained by spark-vlm");
  }
}
