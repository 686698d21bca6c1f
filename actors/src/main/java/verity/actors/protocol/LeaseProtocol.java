package verity.actors.protocol;

import akka.actor.typed.ActorRef;
import java.util.List;
import verity.actors.VerityMessage;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;

/**
 * How the learner and the task source agree on what became of each lease, so that no task is lost
 * and none is trained twice, whatever restarts:
 *
 * <ol>
 *   <li>Before it trains a lease's trajectories the learner <b>claims</b> the lease ({@link
 *       ClaimLeases}). The task source grants a claim only while the lease is open (handed out, not
 *       expired, settled or reopened) and journals it; a claimed lease no longer expires. A lease
 *       that closed while its trajectories were on the way (its worker was presumed dead and its
 *       task went out again) is refused, and its trajectories are dropped, not trained.
 *   <li>Once a step on it is in the learner's journal, the learner <b>settles</b> the lease ({@link
 *       SettleLeases}); it also settles leases it drops (too stale, or a failed step).
 *   <li>When a resume discards steps, the learner <b>reopens</b> their leases ({@link
 *       ReopenLeases}): their training was lost, their tasks go out again.
 *   <li>After a resume the learner <b>releases</b> the claims of its earlier epochs that it neither
 *       settled nor reopened ({@link ReleaseClaims}): trajectories claimed and lost in the crash.
 * </ol>
 *
 * Each message is sent again until the task source confirms it, and the task source confirms a
 * repeated message without acting on it twice, so a message lost with a node is never lost for the
 * ledger. Demand flows back from the consumer: settled leases make room for new ones.
 */
public final class LeaseProtocol {
  private LeaseProtocol() {}

  /** A message the task source accepts from the learner. */
  public sealed interface Command extends VerityMessage
      permits ClaimLeases, SettleLeases, ReopenLeases, ReleaseClaims {}

  /** What became of a lease's trajectories. */
  public enum Settlement {
    /** Trained on. */
    CONSUMED,
    /** Dropped because its policy version was too old. */
    REJECTED_STALE,
    /** Dropped because the step on it failed (a non-finite loss); counted, not retried. */
    FAILED
  }

  /**
   * The learner (in its {@code epoch}) wants to train these leases. Answered with the leases
   * granted (open until now, claimed for this epoch; or claimed for it before) and those refused
   * (closed, or claimed by another epoch, or the epoch is older than one whose claims were
   * released).
   */
  public record ClaimLeases(List<LeaseId> leases, long epoch, ActorRef<ClaimAnswer> replyTo)
      implements Command {
    public ClaimLeases {
      leases = List.copyOf(leases);
    }
  }

  /** The task source's answer to a {@link ClaimLeases}, once the grants are journaled. */
  public record ClaimAnswer(List<LeaseId> granted, List<LeaseId> refused) implements VerityMessage {
    public ClaimAnswer {
      granted = List.copyOf(granted);
      refused = List.copyOf(refused);
    }
  }

  /** These leases are finished with, all in the same way; confirmed once journaled. */
  public record SettleLeases(
      List<LeaseId> leases, Settlement settlement, ActorRef<SettlementConfirmed> replyTo)
      implements Command {
    public SettleLeases {
      leases = List.copyOf(leases);
    }
  }

  /**
   * The settlement of these leases is in the task source's journal (now or from an earlier send),
   * or the lease was closed otherwise before (a repeat after a restart).
   */
  public record SettlementConfirmed(List<LeaseId> leases) implements VerityMessage {
    public SettlementConfirmed {
      leases = List.copyOf(leases);
    }
  }

  /**
   * The training on these leases was lost (the learner resumed from a checkpoint taken before it):
   * lease their tasks again. {@code tasks.get(i)} is the task of {@code leases.get(i)}. The task
   * source journals each lease's reopen once, however often it is sent, and confirms to {@code
   * replyTo} once it is journaled; the learner sends it again until then.
   */
  public record ReopenLeases(
      List<LeaseId> leases, List<TaskId> tasks, ActorRef<ReopenConfirmed> replyTo)
      implements Command {
    public ReopenLeases {
      leases = List.copyOf(leases);
      tasks = List.copyOf(tasks);
      if (leases.size() != tasks.size()) {
        throw new IllegalArgumentException(
            leases.size() + " leases but " + tasks.size() + " tasks to reopen");
      }
    }
  }

  /** The reopen of these leases is in the task source's journal (now or from an earlier send). */
  public record ReopenConfirmed(List<LeaseId> leases) implements VerityMessage {
    public ReopenConfirmed {
      leases = List.copyOf(leases);
    }
  }

  /**
   * The learner resumed in {@code epoch}: every lease claimed by an earlier epoch and still open at
   * the task source (neither settled nor reopened by the messages the learner sent before this one)
   * is released, so its task is leased again; claims of earlier epochs are refused from now on.
   * Confirmed once journaled.
   */
  public record ReleaseClaims(long epoch, ActorRef<ClaimsReleased> replyTo) implements Command {}

  /** The claims of the epochs before {@code epoch} are released. */
  public record ClaimsReleased(long epoch) implements VerityMessage {}
}
