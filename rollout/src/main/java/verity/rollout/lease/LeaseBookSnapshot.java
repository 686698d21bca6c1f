package verity.rollout.lease;

import akka.persistence.typed.SnapshotAdapter;
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
 * @param claims the claimed ones among them, in lease order
 * @param claimFloor claims of epochs below it are refused
 * @param reissue the tasks waiting to be leased again, front first
 * @param reopened the leases whose reopen is journaled, in lease order
 * @param paused whether rollouts are paused
 */
public record LeaseBookSnapshot(
    LeaseId nextLease,
    long drawn,
    List<OpenLease> open,
    List<LeaseClaim> claims,
    long claimFloor,
    List<TaskId> reissue,
    List<LeaseId> reopened,
    boolean paused)
    implements VerityMessage {

  /** How the task source's snapshot store keeps its lease book: as a {@code LeaseBookSnapshot}. */
  public static final SnapshotAdapter<LeaseBook> ADAPTER =
      new SnapshotAdapter<>() {
        @Override
        public Object toJournal(LeaseBook book) {
          return book.toSnapshot();
        }

        @Override
        public LeaseBook fromJournal(Object from) {
          return LeaseBook.fromSnapshot((LeaseBookSnapshot) from);
        }
      };

  public LeaseBookSnapshot {
    open = List.copyOf(open);
    claims = List.copyOf(claims);
    reissue = List.copyOf(reissue);
    reopened = List.copyOf(reopened);
  }

  /** An open lease and its task. */
  public record OpenLease(LeaseId lease, TaskId task) {}

  /** An open lease claimed by a learner epoch. */
  public record LeaseClaim(LeaseId lease, long epoch) {}
}
