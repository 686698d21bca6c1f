package verity.actors.protocol;

import akka.actor.typed.ActorRef;
import java.util.List;
import verity.actors.VerityMessage;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;

/**
 * How the learner tells the task source that leased work is finished with, so that the source can
 * lease more: demand flows back from the consumer, nothing is pushed.
 */
public final class LeaseProtocol {
  private LeaseProtocol() {}

  /** A message the task source accepts from outside the rollout role. */
  public sealed interface Command extends VerityMessage permits LeasesSettled, TasksReopened {}

  /** What became of a lease's trajectories. */
  public enum Settlement {
    /** Trained on. */
    CONSUMED,
    /** Dropped because its policy version was too old. */
    REJECTED_STALE,
    /** Dropped because the step on it failed (a non-finite loss); counted, not retried. */
    FAILED
  }

  /** These leases are finished with. */
  public record LeasesSettled(List<LeaseId> leases, Settlement settlement) implements Command {
    public LeasesSettled {
      leases = List.copyOf(leases);
    }
  }

  /**
   * The training on these leases was lost (the learner resumed from a checkpoint taken before it):
   * lease their tasks again. {@code tasks.get(i)} is the task of {@code leases.get(i)}. The task
   * source journals each lease's reopen once, however often it is sent, and confirms to {@code
   * replyTo} once it is journaled; the learner sends it again until then.
   */
  public record TasksReopened(
      List<LeaseId> leases, List<TaskId> tasks, ActorRef<ReopenConfirmed> replyTo)
      implements Command {
    public TasksReopened {
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
}
