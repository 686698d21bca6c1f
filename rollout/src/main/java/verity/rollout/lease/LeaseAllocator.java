package verity.rollout.lease;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.envs.TaskGenerator;
import verity.rollout.lease.LeaseEvent.LeasesIssued;

/**
 * Decides which waiting requests get leases and on which tasks: at most {@code window} leases are
 * open at once, requests are served in arrival order (each gets up to what it asked for, the last
 * one served may get less), and tasks waiting to be leased again go out before new ones are drawn
 * from the generator.
 */
public final class LeaseAllocator {
  private final int window;

  /** A waiting request: up to {@code max} leases for {@code worker}. */
  public record Demand(int max, String worker) {
    public Demand {
      if (max <= 0) {
        throw new IllegalArgumentException("a request must ask for at least one lease, got " + max);
      }
    }
  }

  /**
   * @param window how many leases may be open at once ({@code max-outstanding-tasks})
   */
  public LeaseAllocator(int window) {
    if (window <= 0) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    this.window = window;
  }

  /**
   * Whether a request ahead (a worker leasing its next batch while it still generates one) for
   * {@code max} leases is answered at once with none rather than served: it never waits, and it
   * must never take the window from a worker that has no work. It is refused unless the window has
   * room for all {@code max}, no other request waits, rollouts are not paused, and the task source
   * is not still expiring the leases that were open when its last incarnation stopped.
   */
  public boolean refusesAhead(
      int max, int openLeases, boolean othersWaiting, boolean paused, boolean recovering) {
    return othersWaiting || paused || recovering || window - openLeases < max;
  }

  /**
   * The leases for the first of {@code waiting} that the window has room for, one {@link
   * LeasesIssued} per request served, in order; the requests after those stay waiting. Nothing is
   * served while {@code paused}. Takes tasks from the front of {@code book}'s reissue queue first
   * and draws the rest from {@code generator}.
   *
   * @param book the book as it will be when these leases are journaled (see {@link
   *     LeaseBook#after})
   * @param next the id of the first lease handed out
   */
  public List<LeasesIssued> allocate(
      LeaseBook.Outlook book,
      LeaseId next,
      List<Demand> waiting,
      boolean paused,
      TaskGenerator generator) {
    int free = window - book.openLeases();
    List<LeasesIssued> issued = new ArrayList<>();
    if (paused) {
      return issued;
    }
    Iterator<TaskId> reissue = book.reissueQueue();
    long id = next.value();
    for (Demand demand : waiting) {
      if (free <= 0) {
        break;
      }
      int n = Math.min(demand.max(), free);
      List<TaskId> tasks = new ArrayList<>(n);
      int reissued = 0;
      while (tasks.size() < n && reissue.hasNext()) {
        tasks.add(reissue.next());
        reissued++;
      }
      while (tasks.size() < n) {
        tasks.add(new TaskId(generator.next().id()));
      }
      issued.add(new LeasesIssued(new LeaseId(id), tasks, reissued, demand.worker()));
      id += n;
      free -= n;
    }
    return issued;
  }
}
