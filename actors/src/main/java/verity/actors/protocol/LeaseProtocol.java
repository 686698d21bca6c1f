package verity.actors.protocol;

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
   * The training on these tasks was lost (the learner resumed from a checkpoint taken before it):
   * lease them again.
   */
  public record TasksReopened(List<TaskId> tasks) implements Command {
    public TasksReopened {
      tasks = List.copyOf(tasks);
    }
  }
}
