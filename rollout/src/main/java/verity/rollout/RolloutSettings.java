package verity.rollout;

import com.typesafe.config.Config;
import java.time.Duration;
import verity.actors.config.ConfigChecks;
import verity.actors.config.DelayDistribution;
import verity.actors.config.RestartBackoff;

/**
 * {@code verity.rollout}: workers, grouping, leasing and evaluation.
 *
 * @param addedEpisodeTime extra time each leased task's episodes take, drawn per task; a batch
 *     takes as long as its longest task (benchmarks give a workload long-tailed episodes with it)
 * @param restart how a failed worker or evaluator is restarted
 */
public record RolloutSettings(
    int workers,
    int groupSize,
    int tasksPerRequest,
    int maxOutstandingTasks,
    Duration leaseTimeout,
    int evaluateEverySteps,
    DelayDistribution addedEpisodeTime,
    RestartBackoff restart) {

  /** Settings with the default restart back-off. */
  public RolloutSettings(
      int workers,
      int groupSize,
      int tasksPerRequest,
      int maxOutstandingTasks,
      Duration leaseTimeout,
      int evaluateEverySteps,
      DelayDistribution addedEpisodeTime) {
    this(
        workers,
        groupSize,
        tasksPerRequest,
        maxOutstandingTasks,
        leaseTimeout,
        evaluateEverySteps,
        addedEpisodeTime,
        RestartBackoff.DEFAULT);
  }

  /** Settings without added episode time. */
  public RolloutSettings(
      int workers,
      int groupSize,
      int tasksPerRequest,
      int maxOutstandingTasks,
      Duration leaseTimeout,
      int evaluateEverySteps) {
    this(
        workers,
        groupSize,
        tasksPerRequest,
        maxOutstandingTasks,
        leaseTimeout,
        evaluateEverySteps,
        DelayDistribution.NONE);
  }

  public static RolloutSettings from(Config config) {
    String p = "verity.rollout.";
    return new RolloutSettings(
        ConfigChecks.intAtLeast(config, p + "workers", 0),
        ConfigChecks.intAtLeast(config, p + "group-size", 2),
        ConfigChecks.positiveInt(config, p + "tasks-per-request"),
        ConfigChecks.positiveInt(config, p + "max-outstanding-tasks"),
        ConfigChecks.positiveDuration(config, p + "lease-timeout"),
        ConfigChecks.positiveInt(config, p + "evaluate-every-steps"),
        DelayDistribution.from(config, p + "added-episode-time"),
        RestartBackoff.from(config, p + "restart-backoff"));
  }
}
