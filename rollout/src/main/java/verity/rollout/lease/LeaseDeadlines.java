package verity.rollout.lease;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import verity.actors.ids.LeaseId;
import verity.rollout.lease.LeaseEvent.LeasesClaimed;
import verity.rollout.lease.LeaseEvent.LeasesExpired;
import verity.rollout.lease.LeaseEvent.LeasesIssued;
import verity.rollout.lease.LeaseEvent.LeasesReopened;
import verity.rollout.lease.LeaseEvent.LeasesSettled;

/**
 * When each unclaimed lease handed out by this incarnation of the task source expires, and which
 * worker holds it. Not journaled: a deadline starts when a lease's {@link LeasesIssued} is
 * journaled and ends when the lease is claimed or closes; unclaimed leases open at a restart are
 * expired by the recovery instead. Times are {@link System#nanoTime()} readings, passed in so that
 * tests choose them.
 */
public final class LeaseDeadlines {
  private record Deadline(long nanos, String worker) {}

  private final long timeoutNanos;
  private final Map<LeaseId, Deadline> deadlines = new HashMap<>();

  /**
   * @param timeout how long a lease may stay open
   */
  public LeaseDeadlines(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Follows a journaled event: issued leases start their deadline, closed ones drop it. */
  public void track(LeaseEvent event, long nowNanos) {
    if (event instanceof LeasesIssued e) {
      Deadline deadline = new Deadline(nowNanos + timeoutNanos, e.worker());
      for (int i = 0; i < e.tasks().size(); i++) {
        deadlines.put(e.lease(i), deadline);
      }
    } else if (event instanceof LeasesClaimed e) {
      drop(e.leases()); // a claimed lease never expires
    } else if (event instanceof LeasesSettled e) {
      drop(e.leases());
    } else if (event instanceof LeasesExpired e) {
      drop(e.leases());
    } else if (event instanceof LeasesReopened e) {
      drop(e.leases());
    }
  }

  /** The leases whose deadline has passed at {@code nowNanos}, in lease order. */
  public List<LeaseId> due(long nowNanos) {
    return deadlines.entrySet().stream()
        .filter(e -> nowNanos - e.getValue().nanos() > 0)
        .map(Map.Entry::getKey)
        .sorted((a, b) -> Long.compare(a.value(), b.value()))
        .toList();
  }

  /** The worker that holds a lease with a deadline. */
  public Optional<String> workerOf(LeaseId lease) {
    return Optional.ofNullable(deadlines.get(lease)).map(Deadline::worker);
  }

  /** Those of {@code leases} that {@code worker} holds and that have a deadline, in this order. */
  public List<LeaseId> heldBy(Collection<LeaseId> leases, String worker) {
    return leases.stream().filter(id -> workerOf(id).filter(worker::equals).isPresent()).toList();
  }

  /** Forgets these leases' deadlines. */
  public void drop(Collection<LeaseId> leases) {
    leases.forEach(deadlines::remove);
  }

  /** How many leases have a deadline. */
  public int size() {
    return deadlines.size();
  }
}
