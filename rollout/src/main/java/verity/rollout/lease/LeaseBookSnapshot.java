package verity.rollout.lease;

import java.util.List;
import verity.actors.VerityMessage;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;

/**
 * A {@link LeaseBook} as the snapshot store keeps it: an immutable copy of every field, taken on
 * the task source's thread.
 *
 * @param nextLease the id the next lease gets
 * @param drawn how many tasks the generator has produced
 * @param open the open leases, in lease order
 * @param reissue the tasks waiting to be leased again, front first
 * @param reopened the leases whose reopen is journaled
 * @param paused whether rollouts are paused
 */
public record LeaseBookSnapshot(
    LeaseId nextLease,
    long drawn,
    List<OpenLease> open,
    List<TaskId> reissue,
    List<LeaseId> reopened,
    boolean paused)
    implements VerityMessage {
  public LeaseBookSnapshot {
    open = List.copyOf(open);
    reissue = List.copyOf(reissue);
    reopened = List.copyOf(reopened);
  }

  /** An open lease and its task. */
  public record OpenLease(LeaseId lease, TaskId task) {}
}
