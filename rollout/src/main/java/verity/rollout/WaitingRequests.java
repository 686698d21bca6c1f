package verity.rollout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import verity.actors.metrics.LatencyWindow;
import verity.rollout.lease.LeaseAllocator;
import verity.rollout.lease.LeaseEvent.LeasesIssued;

/**
 * The task source's requests for leases that wait for room in the window, in arrival order, and how
 * long the served ones waited. Plain Java on the task source's thread.
 */
final class WaitingRequests {
  private record Waiting(TaskSource.RequestTasks request, long sinceNanos) {}

  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final LatencyWindow waited = new LatencyWindow(1024);
  private final int groupSize;

  /**
   * @param groupSize the samples a worker generates of each leased task
   */
  WaitingRequests(int groupSize) {
    this.groupSize = groupSize;
  }

  void add(TaskSource.RequestTasks request, long nowNanos) {
    waiting.add(new Waiting(request, nowNanos));
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  int size() {
    return waiting.size();
  }

  /** How long served requests waited for their leases, in milliseconds. */
  LatencyWindow waited() {
    return waited;
  }

  /** What the waiting requests ask for, in order. */
  List<LeaseAllocator.Demand> demands() {
    return waiting.stream()
        .map(w -> new LeaseAllocator.Demand(w.request().max(), w.request().worker()))
        .toList();
  }

  /**
   * Takes the first {@code issued.size()} requests off the queue, and returns for each the reply
   * that hands it its leases (sent once the leases are journaled).
   */
  List<Runnable> serve(List<LeasesIssued> issued, long nowNanos) {
    List<Runnable> replies = new ArrayList<>(issued.size());
    for (LeasesIssued e : issued) {
      Waiting w = waiting.poll();
      waited.add((nowNanos - w.sinceNanos()) / 1e6);
      List<TaskSource.Lease> leases = new ArrayList<>(e.tasks().size());
      for (int i = 0; i < e.tasks().size(); i++) {
        leases.add(new TaskSource.Lease(e.lease(i), e.tasks().get(i), groupSize));
      }
      replies.add(() -> w.request().replyTo().tell(new TaskSource.Leases(leases)));
    }
    return replies;
  }
}
