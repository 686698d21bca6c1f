package verity.rollout;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import verity.actors.config.ConfigChecks;
import verity.actors.config.DelayDistribution;

/**
 * {@code verity.rollout}: workers, grouping, leasing and evaluation.
 *
 * @param addedEpisodeTime extra time each leased task's episodes take, drawn per task; a batch
 *     takes as long as its longest task (benchmarks give a workload long-tailed episodes with it)
 * @param restartMinBackoff how long a failed worker or evaluator waits before its first restart
 * @param restartMaxBackoff the longest wait between restarts of one that keeps failing
 */
public record RolloutSettings(
    int workers,
    int groupSize,
    int tasksPerRequest,
    int maxOutstandingTasks,
    Duration leaseTimeout,
    int evaluateEverySteps,
    DelayDistribution addedEpisodeTime,
    Duration restartMinBackoff,
    Duration restartMaxBackoff) {

  /** The restart back-off of settings built in code, as in {@code reference.conf}. */
  public static final Duration DEFAULT_RESTART_MIN_BACKOFF = Duration.ofSeconds(1);

  public static final Duration DEFAULT_RESTART_MAX_BACKOFF = Duration.ofSeconds(30);

  public RolloutSettings {
    if (restartMaxBackoff.compareTo(restartMinBackoff) < 0) {
      throw new IllegalArgumentException(
          "restart back-off: max " + restartMaxBackoff + " is below min " + restartMinBackoff);
    }
  }

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
        DEFAULT_RESTART_MIN_BACKOFF,
        DEFAULT_RESTART_MAX_BACKOFF);
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
    Duration minBackoff = ConfigChecks.positiveDuration(config, p + "restart-backoff.min");
    Duration maxBackoff = ConfigChecks.positiveDuration(config, p + "restart-backoff.max");
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new ConfigException.BadValue(
          p + "restart-backoff.max",
          "expected at least restart-backoff.min (" + minBackoff + "), got " + maxBackoff);
    }
    return new RolloutSettings(
        ConfigChecks.intAtLeast(config, p + "workers", 0),
        ConfigChecks.intAtLeast(config, p + "group-size", 2),
        ConfigChecks.positiveInt(config, p + "tasks-per-request"),
        ConfigChecks.positiveInt(config, p + "max-outstanding-tasks"),
        ConfigChecks.positiveDuration(config, p + "lease-timeout"),
        ConfigChecks.positiveInt(config, p + "evaluate-every-steps"),
        DelayDistribution.from(config, p + "added-episode-time"),
        minBackoff,
        maxBackoff);
  }
}
