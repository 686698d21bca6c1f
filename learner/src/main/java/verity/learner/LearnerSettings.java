package verity.learner;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import verity.actors.config.ConfigChecks;
import verity.learner.grpo.Objective;
import verity.learner.grpo.UpdateSchedule;
import verity.learner.optim.LearningRateSchedule;
import verity.learner.optim.Optimization;

/**
 * {@code verity.learner}: batch formation, the GRPO objective and its updates per batch, staleness,
 * and limits; {@code seed} is the run's {@code verity.seed}, which seeds the minibatch shuffle.
 */
public record LearnerSettings(
    int batchGroups,
    double learningRate,
    Objective.Kind objective,
    double clip,
    double entropyCoefficient,
    double isTruncation,
    Objective.BehaviourWeight behaviourWeight,
    double klCoefficient,
    int ppoEpochs,
    int minibatches,
    double maxGradNorm,
    OptimizerSettings optimizer,
    boolean normalizeAdvantageStd,
    int maxStaleness,
    StaleHandling staleHandling,
    double staleWeight,
    long maxSteps,
    WarmStart warmStart,
    int weightChunkValues,
    int shards,
    long seed) {

  /** What happens to a trajectory more than {@code max-staleness} versions behind. */
  public enum StaleHandling {
    /** Drop it and count it in {@code rejectedStale}. */
    REJECT,
    /** Keep it, with its advantage scaled by {@code stale-weight} per version over the bound. */
    DOWN_WEIGHT
  }

  /**
   * AdamW beyond its peak learning rate: decoupled weight decay and the rate's schedule, counted in
   * optimizer updates (learner steps times {@code ppo-epochs} times {@code minibatches}).
   *
   * @param decayUpdates where a cosine reaches its floor; 0 = at {@code max-steps}
   */
  public record OptimizerSettings(
      double weightDecay,
      LearningRateSchedule.Kind schedule,
      long warmupUpdates,
      long decayUpdates,
      double minRatio) {
    /** A constant rate without warm-up or weight decay. */
    public static final OptimizerSettings CONSTANT =
        new OptimizerSettings(0, LearningRateSchedule.Kind.CONSTANT, 0, 0, 0);
  }

  /** How the trainer updates: the schedule built from these settings, decay, gradient bound. */
  public Optimization optimization() {
    long updatesPerStep = (long) ppoEpochs * minibatches;
    long decay =
        optimizer.decayUpdates() > 0 ? optimizer.decayUpdates() : maxSteps * updatesPerStep;
    LearningRateSchedule schedule =
        new LearningRateSchedule(
            optimizer.schedule(),
            learningRate,
            optimizer.warmupUpdates(),
            optimizer.schedule() == LearningRateSchedule.Kind.COSINE ? decay : 0,
            optimizer.minRatio());
    return new Optimization(schedule, optimizer.weightDecay(), maxGradNorm);
  }

  /** A supervised phase on demonstrations before the first version is published; 0 steps = none. */
  public record WarmStart(int steps, int batch, double learningRate) {}

  /** The objective for RL steps at this sampling temperature. */
  public Objective rlObjective(float temperature) {
    return new Objective(
        objective,
        clip,
        entropyCoefficient,
        isTruncation,
        behaviourWeight,
        klCoefficient,
        temperature);
  }

  /** The optimizer updates each batch makes: PPO's epochs times minibatches. */
  public UpdateSchedule updateSchedule() {
    return new UpdateSchedule(ppoEpochs, minibatches, seed);
  }

  /**
   * @throws ConfigException.BadValue naming the key of a bad value, or naming {@code shards} and
   *     the keys a sharded learner does not support (several updates per batch, a KL penalty)
   */
  public static LearnerSettings from(Config config) {
    String p = "verity.learner.";
    LearnerSettings s = read(config, p);
    try {
      s.optimization();
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(
          p + "lr-decay-updates",
          e.getMessage()
              + " (a cosine schedule decays over lr-decay-updates, or max-steps times the updates"
              + " per step when it is 0)");
    }
    if (s.shards() > 1 && (s.ppoEpochs() > 1 || s.minibatches() > 1 || s.klCoefficient() > 0)) {
      throw new ConfigException.BadValue(
          p + "shards",
          "a sharded learner (shards = "
              + s.shards()
              + ") makes one update per batch without a KL penalty: set "
              + p
              + "ppo-epochs = 1, "
              + p
              + "minibatches = 1 and "
              + p
              + "kl-coefficient = 0, or shards = 1");
    }
    return s;
  }

  private static LearnerSettings read(Config config, String p) {
    return new LearnerSettings(
        ConfigChecks.positiveInt(config, p + "batch-groups"),
        ConfigChecks.positiveDouble(config, p + "learning-rate"),
        ConfigChecks.oneOf(config, p + "objective", Objective.Kind.class),
        ConfigChecks.doubleIn(config, p + "clip", 0.0, 1.0),
        ConfigChecks.doubleIn(config, p + "entropy-coefficient", 0.0, 10.0),
        ConfigChecks.doubleIn(config, p + "is-truncation", 1.0, 1e6),
        ConfigChecks.oneOf(config, p + "behaviour-weight", Objective.BehaviourWeight.class),
        ConfigChecks.doubleIn(config, p + "kl-coefficient", 0.0, 100.0),
        ConfigChecks.positiveInt(config, p + "ppo-epochs"),
        ConfigChecks.positiveInt(config, p + "minibatches"),
        ConfigChecks.positiveDouble(config, p + "max-grad-norm"),
        new OptimizerSettings(
            ConfigChecks.doubleIn(config, p + "weight-decay", 0.0, 10.0),
            ConfigChecks.oneOf(config, p + "lr-schedule", LearningRateSchedule.Kind.class),
            ConfigChecks.longAtLeast(config, p + "warmup-updates", 0),
            ConfigChecks.longAtLeast(config, p + "lr-decay-updates", 0),
            ConfigChecks.doubleIn(config, p + "lr-min-ratio", 0.0, 1.0)),
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
        ConfigChecks.positiveInt(config, p + "shards"),
        config.getLong("verity.seed"));
  }
}
