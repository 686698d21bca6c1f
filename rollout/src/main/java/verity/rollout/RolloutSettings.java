package verity.rollout;

import com.typesafe.config.Config;
import java.time.Duration;
import verity.actors.config.ConfigChecks;

/** {@code verity.rollout}: workers, grouping, leasing and evaluation. */
public record RolloutSettings(
    int workers,
    int groupSize,
    int tasksPerRequest,
    int maxOutstandingTasks,
    Duration leaseTimeout,
    int evaluateEverySteps) {

  public static RolloutSettings from(Config config) {
    String p = "verity.rollout.";
    return new RolloutSettings(
        ConfigChecks.intAtLeast(config, p + "workers", 0),
        ConfigChecks.intAtLeast(config, p + "group-size", 2),
        ConfigChecks.positiveInt(config, p + "tasks-per-request"),
        ConfigChecks.positiveInt(config, p + "max-outstanding-tasks"),
        ConfigChecks.positiveDuration(config, p + "lease-timeout"),
        ConfigChecks.positiveInt(config, p + "evaluate-every-steps"));
  }
}
