package verity.rollout;

import java.util.ArrayList;
import java.util.List;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.Trajectory;
import verity.envs.Suite;
import verity.envs.Task;
import verity.policy.Episodes;

/**
 * Lays out a batch of leased tasks as episodes ({@code groupSize} rows per task, each with its own
 * environment seed) and turns the finished episodes back into trajectories, one per row, numbered
 * within their lease. Plain Java: the rollout worker and the benchmarks' plain loop share it, so
 * that both run the same episodes.
 */
public final class TrajectoryAssembler {
  private final Suite suite;
  private final int groupSize;
  private final String worker;

  /**
   * The episodes of a batch: row {@code i * groupSize + j} is sample {@code j} of task {@code i}.
   */
  public record EpisodeRows(List<Task> tasks, long[] seeds) {
    public EpisodeRows {
      tasks = List.copyOf(tasks);
      if (seeds.length != tasks.size()) {
        throw new IllegalArgumentException(seeds.length + " seeds for " + tasks.size() + " tasks");
      }
    }
  }

  /**
   * @param worker the name that the trajectories carry as their producer
   */
  public TrajectoryAssembler(Suite suite, int groupSize, String worker) {
    if (groupSize < 1) {
      throw new IllegalArgumentException("group size " + groupSize);
    }
    this.suite = suite;
    this.groupSize = groupSize;
    this.worker = worker;
  }

  /**
   * The seed that sample {@code sample} of a lease's task resets its environment with: distinct for
   * every sample of every lease, and the same whichever worker generates the lease.
   */
  public static long episodeSeed(LeaseId lease, int sample) {
    return lease.value() * 1_000_003L + sample;
  }

  /** The episodes of these tasks, {@code tasks.get(i)} leased as {@code leases.get(i)}. */
  public static EpisodeRows episodes(List<Task> tasks, List<LeaseId> leases, int groupSize) {
    if (tasks.size() != leases.size()) {
      throw new IllegalArgumentException(tasks.size() + " tasks for " + leases.size() + " leases");
    }
    List<Task> rows = new ArrayList<>(tasks.size() * groupSize);
    long[] seeds = new long[tasks.size() * groupSize];
    for (int i = 0; i < tasks.size(); i++) {
      for (int j = 0; j < groupSize; j++) {
        rows.add(tasks.get(i));
        seeds[i * groupSize + j] = episodeSeed(leases.get(i), j);
      }
    }
    return new EpisodeRows(rows, seeds);
  }

  /** The episodes of these leases, each task looked up in this worker's copy of the suite. */
  public EpisodeRows episodes(List<TaskRequests.Lease> leases) {
    return episodes(
        leases.stream().map(l -> suite.lookup(l.task().value())).toList(),
        leases.stream().map(TaskRequests.Lease::id).toList(),
        groupSize);
  }

  /**
   * The trajectories of the finished episodes, in row order.
   *
   * @param results one per row of {@code episodes}, as {@link EpisodeRunner} returns them
   */
  public List<Trajectory> trajectories(
      List<TaskRequests.Lease> leases, EpisodeRows episodes, List<EpisodeRunner.Result> results) {
    if (results.size() != leases.size() * groupSize || episodes.tasks().size() != results.size()) {
      throw new IllegalArgumentException(
          results.size() + " episodes for " + leases.size() + " leases of " + groupSize);
    }
    List<Trajectory> out = new ArrayList<>(results.size());
    for (int i = 0; i < leases.size(); i++) {
      TaskRequests.Lease lease = leases.get(i);
      for (int j = 0; j < groupSize; j++) {
        int row = i * groupSize + j;
        EpisodeRunner.Result r = results.get(row);
        Episodes.Episode e = r.episode();
        out.add(
            new Trajectory(
                new TrajectoryId(lease.id(), j),
                suite.name(),
                lease.task(),
                groupSize,
                r.prompt(),
                e.tokens(),
                e.sampled(),
                e.logProbs(),
                r.completion(),
                r.segments(),
                worker));
      }
    }
    return out;
  }

  /** The tokens the policy sampled in these episodes (prompts and observations not counted). */
  public static long sampledTokens(List<EpisodeRunner.Result> results) {
    long tokens = 0;
    for (EpisodeRunner.Result r : results) {
      tokens += r.episode().actions().length;
    }
    return tokens;
  }
}
