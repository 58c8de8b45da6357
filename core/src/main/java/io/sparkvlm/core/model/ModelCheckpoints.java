package io.sparkvlm.core.model;

import io.sparkvlm.core.checkpoint.CheckpointError;
import io.sparkvlm.core.checkpoint.CheckpointManifest;
import io.sparkvlm.core.checkpoint.Checkpoints;
import io.sparkvlm.core.text.BpeTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A model checkpoint folder: {@code model.zip} (DL4J's format: configuration, parameters and updater state, so
 * training resumes where it stopped), {@code tokenizer.json} when the model has a BPE tokenizer, and
 * {@code manifest.json} written last (see {@link Checkpoints}). Any Hadoop path.
 */
public final class ModelCheckpoints {
  public static final String MODEL = "model.zip";
  public static final String TOKENIZER = "tokenizer.json";

  private ModelCheckpoints() {}

  public static void save(ComputationGraph model, Optional<BpeTokenizer> tokenizer, String location,
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
    Path model = new Path(location, MODEL);
    FileSystem fs = model.getFileSystem(conf);
    if (!fs.exists(model)) {
      throw new CheckpointError("Checkpoint " + location + " has no " + MODEL);
    }
    try (InputStream in = fs.open(model)) {
      return ModelSerializer.restoreComputationGraph(in, true);
    }
  }

  public static Optional<BpeTokenizer> loadTokenizer(String location, Configuration conf) throws IOException {
    Path file = new Path(location, TOKENIZER);
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      return Optional.empty();
    }
    try (InputStream in = fs.open(file)) {
      return Optional.of(BpeTokenizer.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    }
  }
}
