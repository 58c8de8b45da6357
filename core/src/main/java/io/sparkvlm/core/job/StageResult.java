package io.sparkvlm.core.job;

import io.sparkvlm.core.dataset.Datasets.WrittenDataset;
import java.util.List;

/** What a stage wrote: datasets awaiting their manifests, and a one-line summary for the log. */
public record StageResult(List<WrittenDataset> datasets, String summary) {
  public StageResult {
    datasets = List.copyOf(datasets);
  }
}
