package verity.actors.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * How a supervised actor (a rollout worker, a verifier pool, the evaluator) is restarted after a
 * failure: after {@code min} the first time, doubling up to {@code max} while it keeps failing.
 */
public record RestartBackoff(Duration min, Duration max) {
  /** The back-off of settings built in code, as in {@code reference.conf}. */
  public static final RestartBackoff DEFAULT =
      new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  public RestartBackoff {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("restart back-off: min " + min + ", max " + max);
    }
  }

  /** Reads {@code <path>.min} and {@code <path>.max}; a bad value names its key. */
  public static RestartBackoff from(Config config, String path) {
    Duration min = ConfigChecks.positiveDuration(config, path + ".min");
    Duration max = ConfigChecks.positiveDuration(config, path + ".max");
    if (max.compareTo(min) < 0) {
      throw new ConfigException.BadValue(
          path + ".max", "expected at least " + path + ".min (" + min + "), got " + max);
    }
    return new RestartBackoff(min, max);
  }
}
