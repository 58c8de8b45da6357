package io.sparkvlm.training.averaging;

import org.apache.spark.Partitioner;

/**
 * Where an epoch's minibatch goes for parameter averaging: one partition per (round, worker). Minibatch {@code b}
 * belongs to step {@code b / workers} and worker {@code b % workers} (a step is one minibatch per worker); the
 * steps from {@code firstStep} to {@code endStep} are cut into rounds of {@code averagingFrequency} steps counted
 * from {@code firstStep}, the last round shorter when they do not divide. Partition {@code round * workers + worker}
 * then holds that worker's minibatches of the round, every worker the same number. A run resumed from a checkpoint
 * (always taken at a round's end) cuts the rest of the epoch into the rounds the uninterrupted run had.
 */
public final class RoundPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;

  private final int firstStep;
  private final int endStep;
  private final int workers;
  private final int averagingFrequency;

  public RoundPartitioner(int firstStep, int endStep, int workers, int averagingFrequency) {
    if (firstStep < 0 || endStep <= firstStep || workers < 1 || averagingFrequency < 1) {
      throw new IllegalArgumentException("No rounds: steps " + firstStep + " to " + endStep + ", " + workers
          + " workers, averaging every " + averagingFrequency);
    }
    this.firstStep = firstStep;
    this.endStep = endStep;
    this.workers = workers;
    this.averagingFrequency = averagingFrequency;
  }

  /** How many rounds the steps make. */
  public int rounds() {
    return (endStep - firstStep + averagingFrequency - 1) / averagingFrequency;
  }

  /** The first step of {@code round}. */
  public int roundStart(int round) {
    return firstStep + round * averagingFrequency;
  }

  /** The step after the last one of {@code round}. */
  public int roundEnd(int round) {
    return Math.min(endStep, roundStart(round + 1));
  }

  /** The round of partition {@code partition}. */
  public int roundOf(int partition) {
    return partition / workers;
  }

  /** The first minibatch of the steps, and the one after the last. */
  public long firstBatch() {
    return (long) firstStep * workers;
  }

  public long endBatch() {
    return (long) endStep * workers;
  }

  @Override
  public int numPartitions() {
    return rounds() * workers;
  }

  @Override
  public int getPartition(Object key) {
    long batch = (Long) key;
    if (batch < firstBatch() || batch >= endBatch()) {
      throw new IllegalArgumentException("Minibatch " + batch + " lies outside steps " + firstStep + " to "
          + endStep + " (" + workers + " workers)");
    }
    long step = batch / workers;
    int worker = (int) (batch % workers);
    return (int) ((step - firstStep) / averagingFrequency) * workers + worker;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoundPartitioner p && p.firstStep == firstStep && p.endStep == endStep
        && p.workers == workers && p.averagingFrequency == averagingFrequency;
  }

  @Override
  public int hashCode() {
    return ((firstStep * 31 + endStep) * 31 + workers) * 31 + averagingFrequency;
  }
}
