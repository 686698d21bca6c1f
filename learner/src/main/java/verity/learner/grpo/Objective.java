package verity.learner.grpo;

/**
 * What a gradient is computed for.
 *
 * @param kind the loss
 * @param clip PPO clip range epsilon
 * @param entropyCoefficient weight of the entropy bonus
 * @param isTruncation cap c on the proximal-to-behaviour importance weight (decoupled PPO)
 * @param behaviourWeight what decoupled PPO does with a token whose importance weight exceeds the
 *     cap
 * @param klCoefficient weight of the k3 penalty towards the frozen reference policy; 0 = none
 * @param temperature the sampling temperature, applied to the logits before the log-softmax
 */
public record Objective(
    Kind kind,
    double clip,
    double entropyCoefficient,
    double isTruncation,
    BehaviourWeight behaviourWeight,
    double klCoefficient,
    float temperature) {

  /** The losses the learner knows. */
  public enum Kind {
    /**
     * PPO's clipped ratio against the behaviour policy, uncorrected for staleness: the ratio of a
     * token generated several versions ago is clipped like a fresh one. The control in benchmarks.
     */
    PPO,
    /**
     * Decoupled PPO (AReaL, Fu et al. 2025; Hilton et al. 2022): the clipped ratio is taken against
     * the proximal policy (the learner's policy before the batch's first update, held fixed over
     * the batch's epochs and minibatches) and each token is weighted by the importance weight from
     * the behaviour to the proximal policy, capped at {@code isTruncation} as {@code
     * behaviourWeight} says. A stale token is thus corrected instead of being clipped as if it were
     * fresh.
     */
    DECOUPLED_PPO,
    /** Cross-entropy on demonstrations (the supervised warm start); advantages are ignored. */
    SUPERVISED
  }

  /** What decoupled PPO does with a token whose behaviour importance weight exceeds the cap. */
  public enum BehaviourWeight {
    /** The weight becomes the cap: min(w, c). */
    TRUNCATE,
    /** AReaL's filter: the token is dropped from the loss and from the token count. */
    FILTER
  }

  /** An objective with truncated importance weights and no KL penalty. */
  public Objective(
      Kind kind, double clip, double entropyCoefficient, double isTruncation, float temperature) {
    this(kind, clip, entropyCoefficient, isTruncation, BehaviourWeight.TRUNCATE, 0, temperature);
  }

  public static Objective supervised() {
    return new Objective(Kind.SUPERVISED, 0, 0, 1, 1f);
  }

  /** This objective with another treatment of importance weights above the cap. */
  public Objective withBehaviourWeight(BehaviourWeight w) {
    return new Objective(
        kind, clip, entropyCoefficient, isTruncation, w, klCoefficient, temperature);
  }

  /** This objective with a KL penalty of this weight towards the reference policy. */
  public Objective withKlCoefficient(double beta) {
    return new Objective(
        kind, clip, entropyCoefficient, isTruncation, behaviourWeight, beta, temperature);
  }
}
