package verity.learner.grpo;

/**
 * What a gradient is computed for.
 *
 * @param kind the loss
 * @param clip PPO clip range epsilon
 * @param entropyCoefficient weight of the entropy bonus
 * @param isTruncation cap c on the behaviour-to-proximal importance weight (decoupled PPO)
 * @param temperature the sampling temperature, applied to the logits before the log-softmax
 */
public record Objective(
    Kind kind, double clip, double entropyCoefficient, double isTruncation, float temperature) {

  /** The losses the learner knows. */
  public enum Kind {
    /**
     * PPO's clipped ratio against the behaviour policy, uncorrected for staleness: the ratio of a
     * token generated several versions ago is clipped like a fresh one. The control in benchmarks.
     */
    PPO,
    /**
     * Decoupled PPO (as in AReaL): the clipped ratio is taken against the proximal policy (the
     * learner's policy before this step) and each token is weighted by the importance weight from
     * the behaviour to the proximal policy, truncated at {@code isTruncation}. A stale token is
     * thus corrected instead of being clipped as if it were fresh.
     */
    DECOUPLED_PPO,
    /** Cross-entropy on demonstrations (the supervised warm start); advantages are ignored. */
    SUPERVISED
  }

  public static Objective supervised() {
    return new Objective(Kind.SUPERVISED, 0, 0, 1, 1f);
  }
}
