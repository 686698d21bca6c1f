package verity.learner.grpo;

import java.util.List;

/** The loss or the gradient came out NaN or infinite; the step was not applied. */
public final class NonFiniteLossException extends RuntimeException {
  /**
   * @param where the parameters whose gradient holds a NaN or an infinity, with counts (empty when
   *     none does, or when not known); a non-finite norm of finite values overflowed
   */
  public NonFiniteLossException(double loss, double gradientNorm, int samples, List<String> where) {
    super(
        "loss "
            + loss
            + ", gradient norm "
            + gradientNorm
            + (where.isEmpty() ? "" : " (non-finite in " + String.join("; ", where) + ")")
            + " on a batch of "
            + samples
            + " trajectories: step skipped, weights unchanged");
  }
}
