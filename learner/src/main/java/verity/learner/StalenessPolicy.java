package verity.learner;

import verity.learner.LearnerSettings.StaleHandling;

/**
 * Decides what to do with a trajectory that lags the learner by some number of versions: keep it
 * with full weight, keep it down-weighted, or reject it. η = {@code maxStaleness}; η = 0 is the
 * synchronous, strictly on-policy baseline.
 */
public record StalenessPolicy(int maxStaleness, StaleHandling handling, double staleWeight) {

  public static StalenessPolicy from(LearnerSettings s) {
    return new StalenessPolicy(s.maxStaleness(), s.staleHandling(), s.staleWeight());
  }

  /** The weight a trajectory this many versions behind gets; 0 means reject it. */
  public float weight(long versionsBehind) {
    if (versionsBehind <= maxStaleness) {
      return 1f;
    }
    if (handling == StaleHandling.REJECT) {
      return 0f;
    }
    return (float) Math.pow(staleWeight, versionsBehind - maxStaleness);
  }

  /** True when a trajectory this far behind must be dropped on arrival. */
  public boolean rejectsOnAdmission(long versionsBehind) {
    return handling == StaleHandling.REJECT && versionsBehind > maxStaleness;
  }
}
