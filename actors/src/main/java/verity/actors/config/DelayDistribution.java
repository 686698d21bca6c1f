package verity.actors.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A random delay, configured as {@code { distribution = none | fixed | lognormal, median = 200ms,
 * sigma = 1.0, max = 10s }}: {@code fixed} is always the median; {@code lognormal} is long-tailed
 * around the median (sigma is the spread of its logarithm), capped at {@code max}. Used to give a
 * workload the long tail of real verifiers (a unit-test run, a simulator replay) on demand.
 */
public record DelayDistribution(Kind kind, Duration median, double sigma, Duration max) {

  /** The shape of the distribution. */
  public enum Kind {
    NONE,
    FIXED,
    LOGNORMAL
  }

  public static final DelayDistribution NONE =
      new DelayDistribution(Kind.NONE, Duration.ZERO, 0, Duration.ZERO);

  /**
   * @throws ConfigException naming the key at fault
   */
  public static DelayDistribution from(Config config, String path) {
    Kind kind = ConfigChecks.oneOf(config, path + ".distribution", Kind.class);
    if (kind == Kind.NONE) {
      return NONE;
    }
    Duration median = ConfigChecks.positiveDuration(config, path + ".median");
    double sigma = config.getDouble(path + ".sigma");
    if (!(sigma >= 0 && sigma <= 5)) {
      throw new ConfigException.BadValue(path + ".sigma", "expected 0..5, got " + sigma);
    }
    Duration max = ConfigChecks.positiveDuration(config, path + ".max");
    if (max.compareTo(median) < 0) {
      throw new ConfigException.BadValue(
          path + ".max", "expected at least the median " + median + ", got " + max);
    }
    return new DelayDistribution(kind, median, sigma, max);
  }

  /** One delay drawn with {@code random}. */
  public Duration sample(SplittableRandom random) {
    return switch (kind) {
      case NONE -> Duration.ZERO;
      case FIXED -> median;
      case LOGNORMAL -> {
        double nanos = median.toNanos() * Math.exp(sigma * gaussian(random));
        yield Duration.ofNanos((long) Math.min(nanos, max.toNanos()));
      }
    };
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; 1 - u keeps the logarithm finite.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
