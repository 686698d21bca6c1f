package verity.learner.grpo;

/**
 * Sums over the trained tokens of one gradient computation. Sums, not means, so that the slices of
 * a batch computed by several learner shards add up to the whole batch.
 *
 * @param tokens tokens trained on (the policy's own tokens)
 * @param loss sum of the per-token loss (before dividing by the batch's token count)
 * @param kl sum of (r - 1) - log r, r the ratio of current to behaviour probability
 * @param clipped tokens whose behaviour ratio lies outside the clip range
 * @param entropy sum of the per-token entropy
 * @param truncated tokens whose importance weight was truncated (decoupled PPO)
 */
public record LossSums(
    double tokens, double loss, double kl, double clipped, double entropy, double truncated) {

  public static final LossSums ZERO = new LossSums(0, 0, 0, 0, 0, 0);

  public LossSums plus(LossSums o) {
    return new LossSums(
        tokens + o.tokens,
        loss + o.loss,
        kl + o.kl,
        clipped + o.clipped,
        entropy + o.entropy,
        truncated + o.truncated);
  }

  private double perToken(double x) {
    return tokens == 0 ? 0 : x / tokens;
  }

  public double meanLoss() {
    return perToken(loss);
  }

  public double meanKl() {
    return perToken(kl);
  }

  public double clipFraction() {
    return perToken(clipped);
  }

  public double meanEntropy() {
    return perToken(entropy);
  }

  public double truncatedFraction() {
    return perToken(truncated);
  }
}
