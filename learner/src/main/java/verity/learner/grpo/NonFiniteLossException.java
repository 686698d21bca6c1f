package verity.learner.grpo;

/** The loss or the gradient came out NaN or infinite; the step was not applied. */
public final class NonFiniteLossException extends RuntimeException {
  public NonFiniteLossException(double loss, double gradientNorm, int samples) {
    super(
        "loss "
            + loss
            + ", gradient norm "
            + gradientNorm
            + " on a batch of "
            + samples
            + " trajectories: step skipped, weights unchanged");
  }
}
