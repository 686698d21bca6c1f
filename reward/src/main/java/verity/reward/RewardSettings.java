package verity.reward;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import verity.actors.config.ConfigChecks;
import verity.actors.config.DelayDistribution;

/**
 * {@code verity.reward}: the verifier pool of each suite on a reward node.
 *
 * @param restartMinBackoff how long a failed verifier waits before its first restart
 * @param restartMaxBackoff the longest wait between restarts of one that keeps failing
 */
public record RewardSettings(
    int parallelism,
    int queueCapacity,
    Duration deadline,
    int breakerMaxFailures,
    Duration breakerResetTimeout,
    Duration retryBackoff,
    DelayDistribution addedLatency,
    Duration restartMinBackoff,
    Duration restartMaxBackoff) {

  /** The restart back-off of settings built in code, as in {@code reference.conf}. */
  public static final Duration DEFAULT_RESTART_MIN_BACKOFF = Duration.ofSeconds(1);

  public static final Duration DEFAULT_RESTART_MAX_BACKOFF = Duration.ofSeconds(30);

  public RewardSettings {
    if (restartMaxBackoff.compareTo(restartMinBackoff) < 0) {
      throw new IllegalArgumentException(
          "restart back-off: max " + restartMaxBackoff + " is below min " + restartMinBackoff);
    }
  }

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
        DEFAULT_RESTART_MIN_BACKOFF,
        DEFAULT_RESTART_MAX_BACKOFF);
  }

  public static RewardSettings from(Config config) {
    String p = "verity.reward.";
    Duration minBackoff = ConfigChecks.positiveDuration(config, p + "restart-backoff.min");
    Duration maxBackoff = ConfigChecks.positiveDuration(config, p + "restart-backoff.max");
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new ConfigException.BadValue(
          p + "restart-backoff.max",
          "expected at least restart-backoff.min (" + minBackoff + "), got " + maxBackoff);
    }
    return new RewardSettings(
        ConfigChecks.positiveInt(config, p + "parallelism"),
        ConfigChecks.positiveInt(config, p + "queue-capacity"),
        ConfigChecks.positiveDuration(config, p + "deadline"),
        ConfigChecks.positiveInt(config, p + "breaker.max-failures"),
        ConfigChecks.positiveDuration(config, p + "breaker.reset-timeout"),
        ConfigChecks.positiveDuration(config, p + "retry-backoff"),
        DelayDistribution.from(config, p + "added-latency"),
        minBackoff,
        maxBackoff);
  }
}
