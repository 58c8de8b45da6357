package io.sparkvlm.training.averaging;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The networks one executor JVM keeps between averaging rounds, per training run: a task takes one, loads the
 * round's parameters and updater state into it, trains, and gives it back. A network built once stays warm (its
 * layers' work arrays and the JIT's code are in place), where DL4J's parameter averaging builds a new one in every
 * round and pays for a slow first minibatch each time. A network is used by one task at a time; a JVM running
 * several tasks at once holds one per task. Only the networks of the {@link #RUNS_KEPT} runs used last are kept:
 * a finished run's are dropped when later runs start. Thread-safe.
 */
public final class WarmNetworks {
  /** Training runs whose networks one JVM keeps (the current one, and one that may still be finishing). */
  public static final int RUNS_KEPT = 2;

  private static final WarmNetworks PER_JVM = new WarmNetworks();

  WarmNetworks() {}

  /** Idle networks by run, least recently used run first. */
  private final LinkedHashMap<String, Deque<ComputationGraph>> idle = new LinkedHashMap<>(4, 0.75f, true);

  /** This JVM's pool: what every training task of an executor shares. */
  public static WarmNetworks perJvm() {
    return PER_JVM;
  }

  /** An idle network of {@code run}, if this JVM holds one. */
  public synchronized Optional<ComputationGraph> take(String run) {
    Deque<ComputationGraph> networks = idle.computeIfAbsent(run, r -> new ArrayDeque<>());
    evictOldRuns();
    return Optional.ofNullable(networks.pollFirst());
  }

  /** Gives {@code network} back to {@code run}'s idle networks, for the next round's task. */
  public synchronized void giveBack(String run, ComputationGraph network) {
    idle.computeIfAbsent(run, r -> new ArrayDeque<>()).addFirst(network);
    evictOldRuns();
  }

  /** How many idle networks this JVM holds for {@code run}. */
  public synchronized int idle(String run) {
    Deque<ComputationGraph> networks = idle.get(run);
    return networks == null ? 0 : networks.size();
  }

  /** Drops {@code run}'s idle networks (the driver does, for its own JVM, when a run ends). */
  public synchronized void drop(String run) {
    idle.remove(run);
  }

  private void evictOldRuns() {
    Iterator<Map.Entry<String, Deque<ComputationGraph>>> it = idle.entrySet().iterator();
    while (idle.size() > RUNS_KEPT && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
