package verity.reward;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;

/**
 * The batches a verifier has taken and not yet passed on: their trajectories wait in one queue for
 * a check, and a batch is complete when all of its trajectories are scored. At most {@code
 * capacity} trajectories are held at once. A batch is taken once per (worker, batch): one offered
 * again while it is held here, or after it was finished ({@link FinishedBatches}), is recognised.
 * Plain Java on the verifier's thread.
 *
 * @param <W> how a worker is told apart (its reply address)
 */
final class VerificationQueue<W> {

  /**
   * Workers whose finished batches are remembered: far more than a cluster runs at once, so only
   * workers long gone (restarted elsewhere under a new address) are forgotten.
   */
  static final int REMEMBERED_WORKERS = 4096;

  /** What becomes of a batch offered. */
  enum Offer {
    /** It is taken now. */
    TAKEN,
    /** It was taken before (it is held here or finished): it is not taken twice. */
    TAKEN_BEFORE,
    /** Refused: checks are paused. */
    PAUSED,
    /** Refused: it does not fit beside the trajectories held. */
    FULL
  }

  /** Batches are numbered by their workers; the key keeps two workers' numbers apart. */
  record BatchKey<W>(W worker, long batch) {}

  /** One trajectory of a taken batch, the {@code index}th of it. */
  record Item<W>(BatchKey<W> batch, int index, Trajectory trajectory) {}

  /** A taken batch's verdicts so far. */
  private static final class Pending {
    final ScoredTrajectory[] scored;
    int remaining;

    Pending(int size) {
      scored = new ScoredTrajectory[size];
      remaining = size;
    }
  }

  private final int capacity;
  private final Map<BatchKey<W>, Pending> batches = new HashMap<>();
  private final FinishedBatches<W> finished;
  private final ArrayDeque<Item<W>> queue = new ArrayDeque<>();
  private int held;

  /**
   * @param capacity how many trajectories may be held at once
   */
  VerificationQueue(int capacity) {
    this(capacity, REMEMBERED_WORKERS);
  }

  /**
   * @param capacity how many trajectories may be held at once
   * @param rememberedWorkers of how many workers the finished batches are remembered
   */
  VerificationQueue(int capacity, int rememberedWorkers) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
    this.finished = new FinishedBatches<>(rememberedWorkers);
  }

  /**
   * Takes {@code batch} of {@code worker} unless it was taken before, checks are {@code paused}, or
   * it does not fit, in this order: a batch taken before is never refused. A batch taken has its
   * trajectories join the queue, in order.
   */
  Offer offer(W worker, long batch, List<Trajectory> trajectories, boolean paused) {
    BatchKey<W> key = new BatchKey<>(worker, batch);
    if (batches.containsKey(key) || finished.contains(worker, batch)) {
      return Offer.TAKEN_BEFORE;
    }
    if (paused) {
      return Offer.PAUSED;
    }
    if (held + trajectories.size() > capacity) {
      return Offer.FULL;
    }
    batches.put(key, new Pending(trajectories.size()));
    for (int i = 0; i < trajectories.size(); i++) {
      queue.add(new Item<>(key, i, trajectories.get(i)));
    }
    held += trajectories.size();
    return Offer.TAKEN;
  }

  /** The next trajectory to check, or empty. */
  Optional<Item<W>> next() {
    return Optional.ofNullable(queue.poll());
  }

  /** {@code item}'s check could not run: it is checked again before the rest of the queue. */
  void retry(Item<W> item) {
    queue.addFirst(item);
  }

  /**
   * Records {@code item}'s verdict; when it was its batch's last, the batch is finished (no longer
   * held, and recognised if offered again) and its scored trajectories are returned, in order.
   */
  Optional<List<ScoredTrajectory>> scored(Item<W> item, Verdict verdict) {
    Pending pending = batches.get(item.batch());
    if (pending == null) {
      throw new IllegalStateException("no batch " + item.batch() + " is held");
    }
    pending.scored[item.index()] = new ScoredTrajectory(item.trajectory(), verdict);
    if (--pending.remaining > 0) {
      return Optional.empty();
    }
    batches.remove(item.batch());
    finished.add(item.batch().worker(), item.batch().batch());
    held -= pending.scored.length;
    return Optional.of(List.of(pending.scored));
  }

  /** How many trajectories are held: queued, under a check, or scored in an unfinished batch. */
  int held() {
    return held;
  }

  /** How many trajectories wait for a check. */
  int queued() {
    return queue.size();
  }

  int capacity() {
    return capacity;
  }
}
