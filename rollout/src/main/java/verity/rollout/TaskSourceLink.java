package verity.rollout;

import akka.actor.typed.ActorRef;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A rollout worker's end of {@link TaskRequests}: the task source it knows of (the first the
 * receptionist lists; none while it lists none), the requests for leases it sends there, and the
 * leases it hands back. Not an actor: the worker owns it and calls it on the actor's thread.
 */
final class TaskSourceLink {
  private final String worker;
  private final int tasksPerRequest;
  private final ActorRef<TaskRequests.Leases> replyTo;
  private Optional<ActorRef<TaskSource.Command>> source = Optional.empty();

  /**
   * @param worker the worker's name, which its leases carry
   * @param tasksPerRequest how many tasks a request asks for
   * @param replyTo where the leases go
   */
  TaskSourceLink(String worker, int tasksPerRequest, ActorRef<TaskRequests.Leases> replyTo) {
    this.worker = worker;
    this.tasksPerRequest = tasksPerRequest;
    this.replyTo = replyTo;
  }

  /** The receptionist lists {@code sources} now. */
  void listed(Set<ActorRef<TaskSource.Command>> sources) {
    source = sources.stream().findFirst();
  }

  boolean known() {
    return source.isPresent();
  }

  /**
   * Asks the task source for a batch of leases, now or ahead; nothing for {@link
   * WorkerCycle.Request#NONE}.
   *
   * @throws java.util.NoSuchElementException when no task source is known (the cycle asks for
   *     nothing then)
   */
  void request(WorkerCycle.Request request) {
    if (request != WorkerCycle.Request.NONE) {
      source
          .orElseThrow()
          .tell(
              new TaskRequests.RequestTasks(
                  tasksPerRequest, worker, replyTo, request == WorkerCycle.Request.AHEAD));
    }
  }

  /** Hands {@code leases} back to the task source: the worker will not generate them. */
  void giveBack(List<TaskRequests.Lease> leases) {
    if (!leases.isEmpty() && source.isPresent()) {
      source
          .get()
          .tell(
              new TaskRequests.ReturnLeases(
                  leases.stream().map(TaskRequests.Lease::id).toList(), worker));
    }
  }
}
