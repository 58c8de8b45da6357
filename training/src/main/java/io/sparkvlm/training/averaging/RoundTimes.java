package io.sparkvlm.training.averaging;

/**
 * Where the averaging rounds' time went, in seconds since the run (or the last {@link #reset()}): what the
 * progress lines report, so a slow run says whether it waits for data, computes or synchronises.
 */
public final class RoundTimes {
  private double broadcast;
  private double tasks;
  private double averaging;
  private double workerTrain;
  private double workerData;

  synchronized void add(WorkerResult sum, double broadcastSeconds, double taskSeconds, double averagingSeconds) {
    broadcast += broadcastSeconds;
    tasks += taskSeconds;
    averaging += averagingSeconds;
    workerTrain += sum.trainSeconds() / sum.workers();
    workerData += sum.dataSeconds() / sum.workers();
  }

  /** Wall seconds of the rounds: broadcast, the workers' tasks with their results' return, the averaging. */
  public synchronized double wall() {
    return broadcast + tasks + averaging;
  }

  /** Of {@link #wall()}, the share a mean worker spent in the network's fit. */
  public synchronized double trainShare() {
    return share(workerTrain);
  }

  /** Of {@link #wall()}, the share a mean worker spent waiting for its minibatches (read, decode, build). */
  public synchronized double dataShare() {
    return share(workerData);
  }

  /** Of {@link #wall()}, the rest: broadcast, scheduling, results' return, averaging. */
  public synchronized double syncShare() {
    return wall() == 0 ? 0 : Math.max(0, 1 - trainShare() - dataShare());
  }

  public synchronized void reset() {
    broadcast = 0;
    tasks = 0;
    averaging = 0;
    workerTrain = 0;
    workerData = 0;
  }

  private double share(double seconds) {
    return wall() == 0 ? 0 : seconds / wall();
  }
}
