package verity.rollout;

import java.time.Duration;
import java.util.List;

/**
 * A rollout worker's lifecycle as one phase: whether it may lease, whether ahead of the batch that
 * generates, what to do with leases that arrive, which batch generates next, and when a drain is
 * done. Plain Java: the worker tells it what happened and does what it answers.
 *
 * <p>The rules: nothing is leased before the worker holds a replica and a version; while a batch
 * generates the next one is leased ahead only when batches are short against the lease timeout (so
 * that prefetched leases never expire waiting) and the task source had room for it during this
 * batch; while any batch waits for a verifier nothing is leased (so at most two wait: the one held
 * and the prefetched one that generated meanwhile); a draining worker (its node leaves the cluster)
 * leases nothing more, hands back the leases it holds but has not started, and finishes the batch
 * that generates.
 */
final class WorkerCycle {

  /** Where the worker is. */
  enum Phase {
    /** No replica or no first version yet: nothing is leased. */
    STARTING,
    /** Ready; nothing generates and nothing is asked for. */
    IDLE,
    /** A batch is asked for; nothing generates. */
    LEASING,
    /** A batch generates; nothing is asked for (yet). */
    GENERATING,
    /** A batch generates; the task source had no room for the next: ask again after this one. */
    GENERATING_REFUSED_AHEAD,
    /** A batch generates; the next one is asked for ahead. */
    LEASING_AHEAD,
    /** A batch generates; the leases of the next one are held. */
    PREFETCHED,
    /** Draining: the last batch generates; nothing more is leased. */
    DRAINING,
    /** Drained: nothing generates and nothing more is leased. */
    DRAINED
  }

  /** What to ask the task source for. */
  enum Request {
    NONE,
    /** A batch to generate now: the task source may make it wait for room. */
    NOW,
    /** The next batch, while one generates: the task source answers at once, maybe with none. */
    AHEAD
  }

  /**
   * What to do with leases that arrived.
   *
   * @param start generate these now (empty when none)
   * @param giveBack hand these back to the task source: this worker will not generate them
   */
  record Arrival(List<TaskRequests.Lease> start, List<TaskRequests.Lease> giveBack) {
    static final Arrival NOTHING = new Arrival(List.of(), List.of());
  }

  private final double prefetchBelowMillis;
  private Phase phase = Phase.STARTING;

  /** The leases of the next batch while {@link Phase#PREFETCHED}; empty otherwise. */
  private List<TaskRequests.Lease> prefetched = List.of();

  /** How long the last batch took; unknown (infinite) before the first. */
  private double lastBatchMillis = Double.POSITIVE_INFINITY;

  WorkerCycle(Duration leaseTimeout) {
    // A quarter of the lease timeout: a prefetched lease waits at most one batch before it starts.
    this.prefetchBelowMillis = leaseTimeout.toMillis() / 4.0;
  }

  Phase phase() {
    return phase;
  }

  boolean generating() {
    return switch (phase) {
      case GENERATING, GENERATING_REFUSED_AHEAD, LEASING_AHEAD, PREFETCHED, DRAINING -> true;
      case STARTING, IDLE, LEASING, DRAINED -> false;
    };
  }

  /** The worker holds a replica and a first version. */
  void ready() {
    if (phase == Phase.STARTING) {
      phase = Phase.IDLE;
    }
  }

  /**
   * What to ask the task source for now; a request other than {@link Request#NONE} is recorded as
   * outstanding, so the worker must send it.
   *
   * @param sourceKnown whether a task source is known to send it to
   * @param batchAwaitsVerifier whether a finished batch waits for a verifier to take it
   */
  Request request(boolean sourceKnown, boolean batchAwaitsVerifier) {
    if (!sourceKnown || batchAwaitsVerifier) {
      return Request.NONE;
    }
    if (phase == Phase.IDLE) {
      phase = Phase.LEASING;
      return Request.NOW;
    }
    if (phase == Phase.GENERATING && lastBatchMillis < prefetchBelowMillis) {
      phase = Phase.LEASING_AHEAD;
      return Request.AHEAD;
    }
    return Request.NONE;
  }

  /** The task source changed: a request to one that went away is never answered. */
  void sourceChanged() {
    if (phase == Phase.LEASING) {
      phase = Phase.IDLE;
    } else if (phase == Phase.LEASING_AHEAD) {
      phase = Phase.GENERATING;
    }
  }

  /** Leases arrived (none: the task source had no room for a request ahead). */
  Arrival leased(List<TaskRequests.Lease> leases) {
    if (leases.isEmpty()) {
      if (phase == Phase.LEASING) {
        phase = Phase.IDLE;
      } else if (phase == Phase.LEASING_AHEAD) {
        phase = Phase.GENERATING_REFUSED_AHEAD;
      }
      return Arrival.NOTHING;
    }
    return switch (phase) {
      case IDLE, LEASING -> {
        phase = Phase.GENERATING;
        yield new Arrival(leases, List.of());
      }
      case GENERATING, GENERATING_REFUSED_AHEAD, LEASING_AHEAD -> {
        phase = Phase.PREFETCHED;
        prefetched = List.copyOf(leases);
        yield Arrival.NOTHING;
      }
      // Not asked for by this worker as it is now (a reply to an earlier incarnation's request,
      // to a request sent before its task source changed, or to one a drain overtook), or beyond
      // the one batch it holds ahead.
      case STARTING, PREFETCHED, DRAINING, DRAINED -> new Arrival(List.of(), leases);
    };
  }

  /**
   * The batch that generated is finished; answers the leases to generate next (the prefetched
   * ones), or none.
   */
  List<TaskRequests.Lease> generated(double millis) {
    lastBatchMillis = millis;
    switch (phase) {
      case PREFETCHED -> {
        List<TaskRequests.Lease> next = prefetched;
        prefetched = List.of();
        phase = Phase.GENERATING;
        return next;
      }
      case GENERATING, GENERATING_REFUSED_AHEAD -> phase = Phase.IDLE;
      // The request ahead is still out: its answer is now the batch to generate.
      case LEASING_AHEAD -> phase = Phase.LEASING;
      case DRAINING -> phase = Phase.DRAINED;
      case STARTING, IDLE, LEASING, DRAINED ->
          throw new IllegalStateException("a batch finished while none generated (" + phase + ")");
    }
    return List.of();
  }

  /** Lease nothing more; answers the leases held but not started, to hand back. */
  List<TaskRequests.Lease> drain() {
    switch (phase) {
      case STARTING, IDLE, LEASING -> phase = Phase.DRAINED;
      case GENERATING, GENERATING_REFUSED_AHEAD, LEASING_AHEAD -> phase = Phase.DRAINING;
      case PREFETCHED -> {
        List<TaskRequests.Lease> back = prefetched;
        prefetched = List.of();
        phase = Phase.DRAINING;
        return back;
      }
      case DRAINING, DRAINED -> {}
    }
    return List.of();
  }

  /** Whether a drain is done: nothing generates and no finished batch waits for a verifier. */
  boolean drained(boolean batchAwaitsVerifier) {
    return phase == Phase.DRAINED && !batchAwaitsVerifier;
  }

  /**
   * The worker's state as its status reports show it.
   *
   * @param replicaBuilt whether its replica is built (before, it is starting; after, it waits for
   *     its first version)
   */
  String state(boolean replicaBuilt, boolean batchAwaitsVerifier, boolean sourceKnown) {
    switch (phase) {
      case STARTING:
        return replicaBuilt ? "waiting-weights" : "starting";
      case DRAINING:
        return "draining";
      case DRAINED:
        return batchAwaitsVerifier ? "draining" : "drained";
      case GENERATING, GENERATING_REFUSED_AHEAD, LEASING_AHEAD, PREFETCHED:
        return "generating";
      case IDLE, LEASING:
        break;
    }
    if (batchAwaitsVerifier) {
      return "waiting-verifier";
    }
    if (!sourceKnown) {
      return "no-source";
    }
    return phase == Phase.LEASING ? "waiting-lease" : "idle";
  }
}
