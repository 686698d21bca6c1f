package verity.learner.grpo;

/**
 * Sums over the tokens of one or more gradient computations. Sums, not means, so that the slices of
 * a batch computed by several learner shards, and the minibatches of a batch's updates, add up.
 *
 * @param tokens the policy's own tokens seen (before any was dropped)
 * @param kept tokens in the loss: all policy tokens but those decoupled PPO's filter dropped
 * @param loss sum of the per-token loss over the kept tokens (before dividing by their count)
 * @param kl sum over kept tokens of (r - 1) - log r, r the ratio of current to behaviour policy
 * @param clipped kept tokens whose clipped ratio (PPO: current/behaviour; decoupled PPO:
 *     current/proximal) lies outside [1 - clip, 1 + clip]
 * @param entropy sum of the per-token entropy over kept tokens
 * @param truncated tokens whose behaviour importance weight was truncated to the cap
 * @param dropped tokens dropped because their behaviour importance weight exceeded the cap
 * @param referenceKl sum over kept tokens of the k3 estimate of KL to the reference policy
 */
public record LossSums(
    double tokens,
    double kept,
    double loss,
    double kl,
    double clipped,
    double entropy,
    double truncated,
    double dropped,
    double referenceKl) {

  public static final LossSums ZERO = new LossSums(0, 0, 0, 0, 0, 0, 0, 0, 0);

  public LossSums plus(LossSums o) {
    return new LossSums(
        tokens + o.tokens,
        kept + o.kept,
        loss + o.loss,
        kl + o.kl,
        clipped + o.clipped,
        entropy + o.entropy,
        truncated + o.truncated,
        dropped + o.dropped,
        referenceKl + o.referenceKl);
  }

  private double perKept(double x) {
    return kept == 0 ? 0 : x / kept;
  }

  private double perToken(double x) {
    return tokens == 0 ? 0 : x / tokens;
  }

  public double meanLoss() {
    return perKept(loss);
  }

  public double meanKl() {
    return perKept(kl);
  }

  public double clipFraction() {
    return perKept(clipped);
  }

  public double meanEntropy() {
    return perKept(entropy);
  }

  public double meanReferenceKl() {
    return perKept(referenceKl);
  }

  public double truncatedFraction() {
    return perToken(truncated);
  }

  public double droppedFraction() {
    return perToken(dropped);
  }
}
