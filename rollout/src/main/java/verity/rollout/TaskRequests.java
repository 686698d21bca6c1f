package verity.rollout;

import akka.actor.typed.ActorRef;
import java.util.List;
import verity.actors.VerityMessage;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;

/**
 * What a rollout worker and the {@link TaskSource} say to each other: the worker asks for leases on
 * tasks ({@link RequestTasks}, answered with {@link Leases}, pull and never push) and hands back
 * those it will not generate ({@link ReturnLeases}). The requests are task source commands, sent to
 * the task source itself. A protocol of its own because the rollout workers, the benchmarks'
 * simulated workers and the tests all speak it.
 */
public final class TaskRequests {
  private TaskRequests() {}

  /**
   * Lease me up to {@code max} tasks; the reply may wait until there is capacity. A request {@code
   * ahead} (a worker leasing its next batch while it still generates one) never waits: it is
   * answered with no leases unless the window has room for all {@code max} and no other request
   * waits.
   */
  public record RequestTasks(int max, String worker, ActorRef<Leases> replyTo, boolean ahead)
      implements TaskSource.Command {

    /** A request for work now: it waits until the window has room. */
    public RequestTasks(int max, String worker, ActorRef<Leases> replyTo) {
      this(max, worker, replyTo, false);
    }
  }

  /** Leased tasks: generate {@code groupSize} samples of each. */
  public record Leases(List<Lease> leases) implements VerityMessage {
    public Leases {
      leases = List.copyOf(leases);
    }
  }

  /** One leased task; the worker looks the task up in its own copy of the suite. */
  public record Lease(LeaseId id, TaskId task, int groupSize) {}

  /**
   * A worker hands back leases it will not generate (it is draining: its node leaves the cluster):
   * their tasks are leased again at once, before any other, without waiting for the lease timeout.
   * Leases the learner claimed already, closed ones and other workers' are left as they are.
   */
  public record ReturnLeases(List<LeaseId> leases, String worker) implements TaskSource.Command {
    public ReturnLeases {
      leases = List.copyOf(leases);
    }
  }
}
