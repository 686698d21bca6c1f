package verity.reward;

import com.typesafe.config.Config;
import java.time.Duration;
import verity.actors.config.ConfigChecks;
import verity.actors.config.DelayDistribution;
import verity.actors.config.RestartBackoff;

/**
 * {@code verity.reward}: the verifier pool of each suite on a reward node.
 *
 * @param restart how a failed verifier pool is restarted
 */
public record RewardSettings(
    int parallelism,
    int queueCapacity,
    Duration deadline,
    int breakerMaxFailures,
    Duration breakerResetTimeout,
    Duration retryBackoff,
    DelayDistribution addedLatency,
    RestartBackoff restart) {

  /** Settings with the default restart back-off. */
  public RewardSettings(
      int parallelism,
      int queueCapacity,
      Duration deadline,
      int breakerMaxFailures,
      Duration breakerResetTimeout,
      Duration retryBackoff,
      DelayDistribution addedLatency) {
    this(
        parallelism,
        queueCapacity,
        deadline,
        breakerMaxFailures,
        breakerResetTimeout,
        retryBackoff,
        addedLatency,
        RestartBackoff.DEFAULT);
  }

  public static RewardSettings from(Config config) {
    String p = "verity.reward.";
    return new RewardSettings(
        ConfigChecks.positiveInt(config, p + "parallelism"),
        ConfigChecks.positiveInt(config, p + "queue-capacity"),
        ConfigChecks.positiveDuration(config, p + "deadline"),
        ConfigChecks.positiveInt(config, p + "breaker.max-failures"),
        ConfigChecks.positiveDuration(config, p + "breaker.reset-timeout"),
        ConfigChecks.positiveDuration(config, p + "retry-backoff"),
        DelayDistribution.from(config, p + "added-latency"),
        RestartBackoff.from(config, p + "restart-backoff"));
  }
}
