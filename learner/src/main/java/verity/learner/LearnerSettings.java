package verity.learner;

import com.typesafe.config.Config;
import verity.actors.config.ConfigChecks;
import verity.learner.grpo.Objective;

/** {@code verity.learner}: batch formation, the GRPO objective, staleness, and limits. */
public record LearnerSettings(
    int batchGroups,
    double learningRate,
    Objective.Kind objective,
    double clip,
    double entropyCoefficient,
    double isTruncation,
    double maxGradNorm,
    boolean normalizeAdvantageStd,
    int maxStaleness,
    StaleHandling staleHandling,
    double staleWeight,
    long maxSteps,
    WarmStart warmStart,
    int weightChunkValues,
    int shards) {

  /** What happens to a trajectory more than {@code max-staleness} versions behind. */
  public enum StaleHandling {
    /** Drop it and count it in {@code rejectedStale}. */
    REJECT,
    /** Keep it, with its advantage scaled by {@code stale-weight} per version over the bound. */
    DOWN_WEIGHT
  }

  /** A supervised phase on demonstrations before the first version is published; 0 steps = none. */
  public record WarmStart(int steps, int batch, double learningRate) {}

  /** The objective for RL steps at this sampling temperature. */
  public Objective rlObjective(float temperature) {
    return new Objective(objective, clip, entropyCoefficient, isTruncation, temperature);
  }

  public static LearnerSettings from(Config config) {
    String p = "verity.learner.";
    return new LearnerSettings(
        ConfigChecks.positiveInt(config, p + "batch-groups"),
        ConfigChecks.positiveDouble(config, p + "learning-rate"),
        ConfigChecks.oneOf(config, p + "objective", Objective.Kind.class),
        ConfigChecks.doubleIn(config, p + "clip", 0.0, 1.0),
        ConfigChecks.doubleIn(config, p + "entropy-coefficient", 0.0, 10.0),
        ConfigChecks.doubleIn(config, p + "is-truncation", 1.0, 1e6),
        ConfigChecks.positiveDouble(config, p + "max-grad-norm"),
        config.getBoolean(p + "normalize-advantage-std"),
        ConfigChecks.intAtLeast(config, p + "max-staleness", 0),
        ConfigChecks.oneOf(config, p + "stale-handling", StaleHandling.class),
        ConfigChecks.doubleIn(config, p + "stale-weight", 0.0, 1.0),
        ConfigChecks.longAtLeast(config, p + "max-steps", 0),
        new WarmStart(
            ConfigChecks.intAtLeast(config, p + "warm-start.steps", 0),
            ConfigChecks.positiveInt(config, p + "warm-start.batch"),
            ConfigChecks.positiveDouble(config, p + "warm-start.learning-rate")),
        ConfigChecks.positiveInt(config, p + "weight-chunk-values"),
        ConfigChecks.positiveInt(config, p + "shards"));
  }
}
