package verity.rollout.lease;

import java.util.List;
import verity.actors.VerityMessage;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;

/**
 * What the task source's journal holds: every change of its {@link LeaseBook}, in the order it
 * happened. Replaying them from the start (or from a {@link LeaseBookSnapshot}) gives back the
 * book; the ledger audit replays them to account for every lease.
 *
 * <p>A lease is <b>open</b> from its {@link LeasesIssued} until one {@link LeasesSettled}, {@link
 * LeasesExpired} or {@link LeasesReopened} names it: then it is <b>closed</b>, and no later event
 * of those three names it again, except a {@link LeasesReopened} of a lease settled before (its
 * training was lost after the settlement). An open lease may be <b>claimed</b> by one learner epoch
 * ({@link LeasesClaimed}); a claimed lease is still open, but it never expires on a timeout, at a
 * recovery or when its worker returns it: only a settlement, a reopen or the release of its epoch's
 * claims ({@link ClaimFloorRaised}, after a {@link LeasesExpired} with cause {@link
 * ExpiryCause#CLAIM_RELEASED}) closes it.
 */
public sealed interface LeaseEvent extends VerityMessage {

  /**
   * Leases {@code first}, {@code first + 1}, ... on {@code tasks} (in that order) to {@code
   * worker}: the first {@code reissued} tasks were taken from the front of the reissue queue, the
   * others were drawn from the generator. Lease ids never repeat: {@code first} is the book's next
   * lease id.
   */
  record LeasesIssued(LeaseId first, List<TaskId> tasks, int reissued, String worker)
      implements LeaseEvent {
    public LeasesIssued {
      tasks = List.copyOf(tasks);
      if (reissued < 0 || reissued > tasks.size()) {
        throw new IllegalArgumentException(reissued + " reissued of " + tasks.size() + " tasks");
      }
    }

    /** The id of the {@code i}-th lease. */
    public LeaseId lease(int i) {
      return new LeaseId(first.value() + i);
    }

    /** Tasks drawn from the generator. */
    public int fresh() {
      return tasks.size() - reissued;
    }
  }

  /**
   * The learner is finished with these open leases, all in the same way ({@code settlement}); they
   * close, their tasks are not leased again.
   */
  record LeasesSettled(List<LeaseId> leases, LeaseProtocol.Settlement settlement)
      implements LeaseEvent {
    public LeasesSettled {
      leases = List.copyOf(leases);
    }
  }

  /**
   * These open leases expired for {@code cause}; they close and their tasks go to the reissue
   * queue, in this order: to its front if their worker returned them, else to its back.
   */
  record LeasesExpired(List<LeaseId> leases, ExpiryCause cause) implements LeaseEvent {
    public LeasesExpired {
      leases = List.copyOf(leases);
    }
  }

  /** Why leases expired. */
  enum ExpiryCause {
    /** Unclaimed and not settled within the lease timeout: its worker is presumed dead. */
    TIMEOUT,
    /** Unclaimed when the last incarnation of the task source stopped: its worker went with it. */
    OPEN_AT_RECOVERY,
    /** Unclaimed, and its worker handed it back (it is draining); its task goes out first. */
    RETURNED_BY_WORKER,
    /**
     * Claimed by a learner epoch whose claims the learner released after a resume: its trajectories
     * were lost in the crash.
     */
    CLAIM_RELEASED
  }

  /**
   * The learner, in {@code epoch}, claimed these open unclaimed leases: it is about to train on
   * their trajectories. They stay open, and expire no more.
   */
  record LeasesClaimed(List<LeaseId> leases, long epoch) implements LeaseEvent {
    public LeasesClaimed {
      leases = List.copyOf(leases);
    }
  }

  /**
   * The learner resumed in {@code epoch} and released the claims of its earlier epochs: claims of
   * epochs below {@code epoch} are refused from now on. The leases those epochs still held were
   * expired (cause {@link ExpiryCause#CLAIM_RELEASED}) in the same journal write, just before.
   */
  record ClaimFloorRaised(long epoch) implements LeaseEvent {}

  /**
   * The training on these leases was lost (the learner resumed from a checkpoint before it): those
   * still open close, and every task ({@code tasks.get(i)} is the task of {@code leases.get(i)})
   * goes to the back of the reissue queue. No lease is reopened twice.
   */
  record LeasesReopened(List<LeaseId> leases, List<TaskId> tasks) implements LeaseEvent {
    public LeasesReopened {
      leases = List.copyOf(leases);
      tasks = List.copyOf(tasks);
      if (leases.size() != tasks.size()) {
        throw new IllegalArgumentException(leases.size() + " leases, " + tasks.size() + " tasks");
      }
    }
  }

  /** An operator paused ({@code paused}) or resumed the run's rollouts; {@code by} says who. */
  record PauseChanged(boolean paused, String by) implements LeaseEvent {}
}
