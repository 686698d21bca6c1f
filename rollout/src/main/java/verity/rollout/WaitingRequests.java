package verity.rollout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import verity.actors.metrics.LatencyWindow;
import verity.envs.TaskGenerator;
import verity.rollout.TaskRequests.RequestTasks;
import verity.rollout.lease.LeaseAllocator;
import verity.rollout.lease.LeaseBook;
import verity.rollout.lease.LeaseEvent;
import verity.rollout.lease.LeaseEvent.LeasesIssued;

/**
 * The task source's requests for leases that wait for room in the window, in arrival order, and how
 * they are served: with each journal write, as many as the window then has room for ({@link
 * LeaseAllocator}), on tasks waiting to be leased again first and then on new ones from the
 * generator. It also keeps how long the served ones waited, and says the task source's state in a
 * word. Plain Java on the task source's thread.
 */
final class WaitingRequests {
  private record Waiting(RequestTasks request, long sinceNanos) {}

  /** One journal write: its events, and the replies to send once they are journaled. */
  record Write(List<LeaseEvent> events, List<Runnable> replies) {}

  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final LatencyWindow waited = new LatencyWindow(1024);
  private final int window;
  private final int groupSize;
  private final LeaseAllocator allocator;
  private final TaskGenerator generator;

  /**
   * @param settings the window ({@code max-outstanding-tasks}) and the samples a worker generates
   *     of each leased task
   * @param generator where new tasks come from
   */
  WaitingRequests(RolloutSettings settings, TaskGenerator generator) {
    this.window = settings.maxOutstandingTasks();
    this.groupSize = settings.groupSize();
    this.allocator = new LeaseAllocator(window);
    this.generator = generator;
  }

  /**
   * Draws the {@code drawn} tasks the journal says were drawn before, so that the generator goes on
   * where it stopped.
   */
  void skipDrawn(long drawn) {
    for (long i = 0; i < drawn; i++) {
      generator.next();
    }
  }

  /**
   * Whether {@code r} is answered at once with no leases rather than waiting: it asks for none, or
   * it asks ahead and may not ({@link LeaseAllocator#refusesAhead}).
   *
   * @param recovering whether the task source still expires the leases open at its last stop
   */
  boolean refusesAtOnce(RequestTasks r, LeaseBook book, boolean recovering) {
    return r.max() <= 0
        || r.ahead()
            && allocator.refusesAhead(
                r.max(), book.openLeases(), !waiting.isEmpty(), book.paused(), recovering);
  }

  void add(RequestTasks request, long nowNanos) {
    waiting.add(new Waiting(request, nowNanos));
  }

  int size() {
    return waiting.size();
  }

  /** How long served requests waited for their leases, in milliseconds. */
  LatencyWindow waited() {
    return waited;
  }

  /**
   * The journal write of a command that journals {@code first} and answers with {@code reply} (may
   * be null): {@code first}, then the leases the window has room for once {@code first} is
   * journaled, for the requests at the front of the queue (taken off it); {@code reply} first, then
   * the answers that hand the requests served their leases.
   */
  Write serve(LeaseBook book, List<LeaseEvent> first, Runnable reply, long nowNanos) {
    List<LeaseEvent> events = new ArrayList<>(first);
    List<Runnable> replies = new ArrayList<>();
    if (reply != null) {
      replies.add(reply);
    }
    if (!waiting.isEmpty()) {
      List<LeaseAllocator.Demand> demands =
          waiting.stream()
              .map(w -> new LeaseAllocator.Demand(w.request().max(), w.request().worker()))
              .toList();
      List<LeasesIssued> issued =
          allocator.allocate(
              book.after(first), book.nextLease(), demands, book.paused(), generator);
      events.addAll(issued);
      for (LeasesIssued e : issued) {
        replies.add(served(waiting.poll(), e, nowNanos));
      }
    }
    return new Write(events, replies);
  }

  /** The reply that hands {@code w} the leases of {@code e}. */
  private Runnable served(Waiting w, LeasesIssued e, long nowNanos) {
    waited.add((nowNanos - w.sinceNanos()) / 1e6);
    List<TaskRequests.Lease> leases = new ArrayList<>(e.tasks().size());
    for (int i = 0; i < e.tasks().size(); i++) {
      leases.add(new TaskRequests.Lease(e.lease(i), e.tasks().get(i), groupSize));
    }
    return () -> w.request().replyTo().tell(new TaskRequests.Leases(leases));
  }

  /**
   * The task source's state in a word: paused, window-full (requests wait and the window has no
   * room), idle (no lease open) or leasing.
   */
  String state(LeaseBook book) {
    if (book.paused()) {
      return "paused";
    }
    if (!waiting.isEmpty() && window - book.openLeases() <= 0) {
      return "window-full";
    }
    return book.openLeases() == 0 ? "idle" : "leasing";
  }
}
